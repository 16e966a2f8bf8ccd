"""Entry point for ``python -m mentorctl``."""

from mentorctl.cli import main

if __name__ == "__main__":
    main()
