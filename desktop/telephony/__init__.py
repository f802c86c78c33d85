"""Dialling backends behind one `Dialer` protocol; reached only through the calling service's gate."""
