"""Search index of the archive: text analysis and the Whoosh index."""
