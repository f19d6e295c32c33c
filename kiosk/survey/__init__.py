"""The exit survey: answers and what they add up to."""
