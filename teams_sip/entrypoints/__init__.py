"""Thin shells (CLI, Azure Functions, local server) over the service layer."""
