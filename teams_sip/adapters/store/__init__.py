"""State store adapters: memory (unit tests), SQLite (embedded default), Azure Table Storage (cloud)."""
