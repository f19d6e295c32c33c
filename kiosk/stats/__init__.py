"""What the show adds up to: live counts and the dashboard."""
