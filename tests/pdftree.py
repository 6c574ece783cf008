"""A tagged PDF's structure tree, for the tests that check it (PDF/UA, the Typst writer)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def struct_tree(pdf: bytes | PdfReader) -> list[tuple[str, dict, set[int]]]:
    """(structure type, element, pages its content is on) for every element, in reading
    order."""
    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(io.BytesIO(pdf))
    out = []

    def kids(node):
        k = node.get("/K")
        for kid in (k if isinstance(k, list) else [] if k is None else [k]):
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                yield kid

    def pages(node):
        found = set()
        if "/Pg" in node:
            found.add(reader.get_page_number(node["/Pg"].get_object()))
        for kid in kids(node):
            found |= pages(kid)
        return found

    def walk(node):
        if "/S" in node:
            out.append((str(node["/S"]), node, pages(node)))
        for kid in kids(node):
            if "/S" in kid:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out
