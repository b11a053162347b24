"""Watch: watchlist rules checked on every ingest (not built yet; see the issues)."""
