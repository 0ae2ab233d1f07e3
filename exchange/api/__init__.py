"""REST API of the supplier data exchange, under /api/v1/exchange/."""
