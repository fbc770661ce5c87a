"""Full-text search: one query grammar, compiled for SQLite FTS5 and PostgreSQL tsquery."""
