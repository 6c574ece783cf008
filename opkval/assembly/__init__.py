"""Assembly: everything one note (or the overview, or an exploration) shows, as one context."""
