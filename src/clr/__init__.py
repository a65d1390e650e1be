"""clr: child labour remediation case management in plain files."""

__version__ = "0.1.0"

CASE_FORMAT = 1
"""The case format this clr writes and checks (``schema_version`` in a case file)."""
