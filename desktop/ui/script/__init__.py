"""The call script: the panel beside the lead, its stages, inputs and cards, the read-aloud, and the editor
(forms, preview).
"""
