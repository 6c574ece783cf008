"""Base: formatting, domain words, errors, files, the document model and its HTML."""
