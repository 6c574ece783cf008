"""Sections: a note's sections as document blocks, and its charts."""
