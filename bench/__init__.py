"""Benchmarks: each script generates its data, runs, and prints figures (not timed tests)."""
