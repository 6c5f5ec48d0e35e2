"""Benchmark of the nightly job from the bi-borough to national volume (`make bench`)."""
