"""Badges: layouts loaded from badge_templates/, rendered with Pillow, printed through CUPS."""
