"""Read queries: (session, typed filters) -> public models. No HTTP here, no commits."""
