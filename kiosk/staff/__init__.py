"""Staff accounts of the console: passwords, lock-out, sessions policy."""
