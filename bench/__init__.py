"""Evaluation harness for newsbot retrieval (not part of the default test run)."""
