"""The PySide6 window: widgets and Qt models. The only layer that imports Qt widgets; it calls services."""

from desktop.ui.common.qtcompat import guard

# Before any widget exists: some binding versions wear out the count of None/True (see qtcompat).
guard()
