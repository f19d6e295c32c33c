"""People: static records, screening, search, consent, import."""
