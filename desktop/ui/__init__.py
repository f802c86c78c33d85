"""The PySide6 window: widgets and Qt models. The only layer that imports Qt widgets; it calls services."""
