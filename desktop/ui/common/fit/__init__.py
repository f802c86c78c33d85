"""What makes the window fit any screen: placement sized to the screen, eliding labels, the status bar."""
