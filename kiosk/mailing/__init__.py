"""Mail to people before the show: confirmations with badge codes, and invitations."""
