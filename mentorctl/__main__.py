"""Entry point for ``python -m mentorctl``."""

from mentorctl.cli.app import main

if __name__ == "__main__":
    main()
