"""Exhibitor lead capture: scan, qualify, list and download."""
