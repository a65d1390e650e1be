"""The case repository: clr.yaml, finding cases, git, and the files clr init writes."""
