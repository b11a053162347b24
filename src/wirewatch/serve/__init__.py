"""Serve: the REST API and web UI over the ledger (not built yet; see the issues)."""
