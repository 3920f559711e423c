"""Batch runs: every county and year of a dataset, in parallel, incrementally (issue #5)."""
