"""After the show: metrics, exports and syncs for the organiser's CRM."""
