"""Calling: the dial bar, the call session, outcome keys and time dialog, the power dialler and the
softphone's view (controls, dial pad, voicemail drop).
"""
