"""People: their field list, registration, the desk, search, consent, import."""
