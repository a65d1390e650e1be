"""The model: clr's vocabulary and the meaning of a case.

Stages, tracks and reasons, a typed view of a case, findings, playbooks, ages and dates.
No file I/O beyond reading bundled data.
"""
