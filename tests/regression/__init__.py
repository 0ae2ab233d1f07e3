"""Regression tests, one module per issue: each test reproduces a reported defect exactly."""
