"""Benchmarks: `make bench` (python -m benchmarks.run) prints speed and memory figures."""
