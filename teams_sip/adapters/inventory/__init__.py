"""Inventory sources (service/ports/inventory.py) that are not Graph calls: the admin's export file."""
