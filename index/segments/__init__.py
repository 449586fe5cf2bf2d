"""The segment store: the index's schema, writing segments (with their posting arrays and numpy
columns), merging them, keeping them on disk durably, and indexing the archive's store as it
changes (catch-up, the follower). Depends on :mod:`index.text` only."""
