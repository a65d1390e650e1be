"""clr: child labour remediation case management in plain files."""

__version__ = "0.1.0"

SOURCE_URL = "https://github.com/clr-cases/clr"
"""clr's repository: its home page, the default source that ``clr init`` pins, docs links."""

CASE_FORMAT = 1
"""The case format this clr writes and checks (``schema_version`` in a case file)."""
