"""Adapters at the edges: Graph, auth, provisioning, state stores, notifications, file formats."""
