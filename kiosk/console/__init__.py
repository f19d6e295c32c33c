"""The staff console: accounts, people desk, live dashboard, sessions and the exit survey."""
