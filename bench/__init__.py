"""Benchmarks: each script starts what it needs on 127.0.0.1, drives it, and stops it."""
