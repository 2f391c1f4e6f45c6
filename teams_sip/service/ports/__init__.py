"""Ports: the small interfaces the service layer needs; adapters implement them, one file per concern."""
