"""signups."""
