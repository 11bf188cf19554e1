"""Benchmarks run by `make bench`: figures printed and written to bench/results/latest.json."""
