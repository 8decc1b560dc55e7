"""Benchmarks run by `make bench`; figures go in the README, never into timed tests."""
