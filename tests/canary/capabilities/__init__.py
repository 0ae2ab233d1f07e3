"""Canary planters: every module here registers itself with tests.canary.registry.register."""
