"""The lead on screen: its card, history, consent line and the script answers captured for it."""
