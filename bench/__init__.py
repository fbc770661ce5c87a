"""The performance benchmark: synthetic corpus, loader timing, servers under wrk."""
