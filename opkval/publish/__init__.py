"""Publishing: the Word and Typst PDF writers, the renderer, the agenda item, the index and
the exports."""
