"""Screens: the main three-pane browser and the modal screens over it."""
