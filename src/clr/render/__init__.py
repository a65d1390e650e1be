"""Rendering: every output format, chosen by name from one registry."""
