"""clr: child labour remediation case management in plain files."""

__version__ = "0.1.0"
