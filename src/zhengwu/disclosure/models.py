"""Models of the app."""
