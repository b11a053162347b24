"""Report: analyst briefings from the ledger (not built yet; see the issues)."""
