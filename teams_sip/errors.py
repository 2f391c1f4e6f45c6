"""Errors the admin sees. Each carries a message written for a Teams admin, never a secret."""

from __future__ import annotations


class TeamsSipError(Exception):
    """Base class: the CLI and HTTP layers turn these into clear messages, never tracebacks."""


class ConfigError(TeamsSipError):
    """A setting is missing or bad; the message names the setting."""


class InputError(TeamsSipError):
    """Something the admin supplied (a file, a value, a request) cannot be used as it is."""
