import pytest


@pytest.fixture(autouse=True)
def _materials(exchange_materials):
    """Every exchange test may name materials (see tests/conftest.py)."""
