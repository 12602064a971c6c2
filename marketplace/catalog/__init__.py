"""Shops, products and the stock ledger: read by residents, managed by merchants."""
