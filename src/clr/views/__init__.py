"""Views over many cases, read-only.

Selection, summaries, figures, status, export and the case report.
"""
