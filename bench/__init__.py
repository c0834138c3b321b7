"""Benchmarks and their tools (not part of the etl package)."""
