"""Checks: JSON Schemas, clr's rules, the personal-data lint, and validate (orchestration only)."""
