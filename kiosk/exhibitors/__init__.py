"""Exhibitors: their booths and their qualifying questions."""
