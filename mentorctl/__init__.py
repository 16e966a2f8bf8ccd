"""mentorctl: run guided mentorship programs from local files."""

__version__ = "0.1.0"
