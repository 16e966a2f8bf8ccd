"""cli."""

from mentorctl.cli.app import app, main

__all__ = ["app", "main"]
