"""Settings: the settings dialog (with the softphone box) and the outcome rules editor."""
