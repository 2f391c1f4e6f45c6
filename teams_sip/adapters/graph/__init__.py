"""Microsoft Graph adapter: client factory and helpers (client.py), paging, our own $batch sender,
errors, SDK work-arounds, and a blocking facade for synchronous callers (blocking.py).

Nothing is imported here: msgraph-sdk is heavy and must load only when Graph is really used.
"""
