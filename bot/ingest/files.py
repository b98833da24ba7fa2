"""Which files hold stories, and the largest read: what a scan of the corpus folder needs.

Apart from the readers, so that listing folders (every fresh `newsbot ask` lists those whose
time changed) does not import the parsers (YAML, wire copy; ~20 ms) to learn a suffix.
"""

from __future__ import annotations

SUFFIXES = (".txt", ".md", ".markdown", ".jsonl")
MAX_FILE_BYTES = 20 * 1024 * 1024  # larger files are refused with a reason, not read
