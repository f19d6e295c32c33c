"""Benchmarks: one command each (see benchmarks/README.md)."""
