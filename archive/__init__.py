"""The system of record: articles, their validation, the SQLite store and the bulk importer."""
