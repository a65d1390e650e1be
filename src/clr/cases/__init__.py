"""Changing cases: open a case, advance, record facts, new cases, identity files, migrations."""
