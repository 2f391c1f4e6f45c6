"""Bulk sign-in over HTTP (API mode); see teams_sip/service/ports/bulk_signin.py."""
