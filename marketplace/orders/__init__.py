"""Residents' orders, from placement to completion, and how they were paid."""
