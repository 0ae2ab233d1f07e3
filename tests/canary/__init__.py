"""The canary crawl: see tests/canary/registry.py."""
