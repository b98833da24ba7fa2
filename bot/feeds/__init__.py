"""RSS/Atom feeds pulled politely into story files under ``<corpus>/feeds/``."""
