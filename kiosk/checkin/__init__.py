"""Badge codes and check-in at the gates."""
