"""People and their roles: residents, merchants, suppliers and lenders."""
