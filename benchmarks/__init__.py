"""Performance benchmark of the passports slice (issue 3, "Performance"): run `benchmarks/run.py`."""
