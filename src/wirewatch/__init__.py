"""wirewatch: a ledger of political events from news, every field traced to its sentence."""

__version__ = "0.1.0"
