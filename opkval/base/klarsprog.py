"""Plain Danish (klarsprog) measures for the text a council reads (issue 21 §2).

Pure functions on plain text, no imports beyond the standard library and :mod:`opkval.base.doc`:

- :func:`words`, :func:`long_words`, :func:`sentences`, :func:`lix`: LIX (Björnsson's
  readability index) = words / sentences + 100 × long words / words, where a long word has
  more than six letters. A *word* is a run of characters between spaces that holds at least
  one letter or digit (``1.304.000`` and ``kr.`` are words); its letters are counted without
  digits and punctuation (``0-5-årige`` has five). A *sentence* ends at ``.``, ``!``, ``?`` or
  ``:`` followed by white space and a capital letter, at the end of the text, and at a line
  break or tab (headings, list items and table cells stand alone). A full stop after a
  Danish abbreviation that never ends a sentence (``ca.``, ``nr.``, ``bl.a.`` …) does not end
  one; ``kr.`` and ``mio.`` may (``… 280.000 kr. Planen …``).
- :func:`paren_depth`: the deepest nesting of round parentheses (1 = no nesting).
- :func:`unexplained_abbreviations`: abbreviations (two or more capitals) whose first use is
  neither written out in a parenthesis beside it nor after their full name.
- :func:`forbidden`: file paths, commands, tool names, hashes and commit ids.
- :func:`date_forms`, :func:`hyphen_ranges`: dates in running text written otherwise than
  "1. august 2026", and ranges with a hyphen instead of an en dash.
- :func:`estimate_lines`, :func:`estimate_pages`, :func:`first_page`: how many A4 lines and
  pages document blocks fill, estimated from text length and table rows until a PDF writer
  measures them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from opkval.base import doc

# ------------------------------------------------------------------------------ words, LIX

#: Abbreviations whose full stop never ends a sentence (lower case; ``kr.`` and ``mio.`` may).
NON_FINAL = frozenset({"ca.", "nr.", "pr.", "fx.", "f.eks.", "bl.a.", "jf.", "mv.", "dvs.",
                       "hhv.", "inkl.", "ekskl.", "evt.", "ift.", "mht.", "mhp.", "kl.", "st.",
                       "vedr.", "iflg.", "osv.", "m.fl.", "o.l.", "ff."})
#: Longest run of letters a word may have and still be short (LIX: long is more than six).
LONG_WORD_LETTERS = 6

_LETTER = re.compile(r"[^\W\d_]")
_ALNUM = re.compile(r"[^\W_]")
_CAP = re.compile(r"[A-ZÆØÅ]")


def words(text: str) -> list[str]:
    """The words of a text: runs between spaces holding a letter or a digit."""
    return [w for w in text.split() if _ALNUM.search(w)]


def letters(word: str) -> int:
    """Letters in a word (no digits, no punctuation): ``'0-5-årige'`` → 5."""
    return len(_LETTER.findall(word))


def long_words(text: str) -> list[str]:
    """Words with more than six letters."""
    return [w for w in words(text) if letters(w) > LONG_WORD_LETTERS]


def sentences(text: str) -> list[str]:
    """The text split into sentences (see the module's text); empty pieces dropped."""
    out: list[str] = []
    for unit in re.split(r"[\n\t]+", text):
        toks = unit.split()
        current: list[str] = []
        for i, tok in enumerate(toks):
            current.append(tok)
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is None:
                break
            core = tok.rstrip("»«\"')]")
            if not core or core[-1] not in ".!?:":
                continue
            if core[-1] == "." and core.lower().lstrip("(»\"'") in NON_FINAL:
                continue
            # A capital letter opens the next sentence (after any opening quote or bracket).
            if _CAP.match(nxt.lstrip("(»\"'")):
                out.append(" ".join(current))
                current = []
        if current and words(" ".join(current)):
            out.append(" ".join(current))
    return [s for s in out if words(s)]


def lix(text: str) -> float:
    """LIX = words / sentences + 100 × long words / words (0 for a text without words)."""
    w = words(text)
    if not w:
        return 0.0
    s = max(1, len(sentences(text)))
    return len(w) / s + 100 * len(long_words(text)) / len(w)


def sentence_lengths(text: str) -> list[tuple[int, str]]:
    """Each sentence's word count and the sentence, longest first."""
    return sorted(((len(words(s)), s) for s in sentences(text)), key=lambda x: -x[0])


# ------------------------------------------------------------------------------ parentheses


def paren_depth(text: str) -> int:
    """The deepest nesting of round parentheses: 0 none, 1 one level, 2 a parenthesis inside a
    parenthesis. An unbalanced text counts its deepest point all the same."""
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(0, depth - 1)
    return deepest


# ------------------------------------------------------------------------------ abbreviations

#: Abbreviations the bilag may use and their full Danish names (written out at first use).
ABBREVIATIONS = {
    "PAU": "pædagogisk assistentuddannelse",
    "KL": "Kommunernes Landsforening",
    "BUPL": "Børne- og Ungdomspædagogernes Landsforbund",
    "ICDP": "International Child Development Programme",
    "DST": "Danmarks Statistik",
    "SFO": "skolefritidsordning",
    "ECTS": "European Credit Transfer and Accumulation System",
    "AMU": "arbejdsmarkedsuddannelse",
    "AVU": "almen voksenuddannelse",
    "STUK": "Styrelsen for Undervisning og Kvalitet",
    "UVM": "Børne- og Undervisningsministeriet",
}
#: Capitals that are words, not abbreviations.
NOT_ABBREVIATIONS = frozenset({"OK"})
_ABBR = re.compile(r"(?<![\w-])([A-ZÆØÅ]{2,})(?![\w])")


def unexplained_abbreviations(text: str) -> list[str]:
    """Abbreviations not written out at first use, in order of first use.

    Written out means: the first use stands in a parenthesis right after words
    (``skolefritidsordning (SFO)``), or is followed by one
    (``ICDP (International Child Development Programme)``), or the full name in
    :data:`ABBREVIATIONS` comes before it in the text.
    """
    seen: set[str] = set()
    out = []
    for m in _ABBR.finditer(text):
        a = m.group(1)
        if a in seen or a in NOT_ABBREVIATIONS:
            continue
        seen.add(a)
        before, after = text[:m.start()], text[m.end():]
        in_paren = before.endswith("(") and (after.startswith(")") or after.startswith(","))
        followed = after.lstrip().startswith("(") and len(after.lstrip()) > 1
        named = a in ABBREVIATIONS and ABBREVIATIONS[a].casefold() in before.casefold()
        if not (in_paren or followed or named):
            out.append(a)
    return out


# ------------------------------------------------------------------------------ forbidden

_FORBIDDEN = (
    ("filsti", re.compile(r"(?<![\w.])(?:[\w.-]+/)+[\w.-]+\.\w{2,5}\b")),
    ("filnavn", re.compile(r"\b[\w-]+\.(?:ya?ml|csv|json|xlsx|ods|ipynb|py|html|pdf|docx)\b",
                           re.IGNORECASE)),
    ("kommando", re.compile(r"\b(?:opkval|make|python|pip|git|jupyter)\s+[a-z-]+|(?<!\w)--\w")),
    ("værktøj", re.compile(r"\b(?:opkval|papermill|nbconvert|WeasyPrint|Typst|Jupyter|GitHub)\b",
                           re.IGNORECASE)),
    ("hash", re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\b")),
    ("commit", re.compile(r"\b(?:commit|SHA-?256|sha256)\b", re.IGNORECASE)),
)


def forbidden(text: str) -> list[tuple[str, str]]:
    """(kind, match) for every file path, command, tool name, hash or commit id."""
    return [(kind, m.group(0)) for kind, rx in _FORBIDDEN for m in rx.finditer(text)]


# ------------------------------------------------------------------------------ dates, ranges

_OTHER_DATES = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\.\d{1,2}\.\d{2,4}\b"
                          r"|\b\d{1,2}/\d{1,2}\b")
_HYPHEN_RANGE = re.compile(r"(?<![\w.,])\d[\d.,]*-\d[\d.,]*(?!\d|-å|-år)")


def date_forms(text: str) -> list[str]:
    """Dates written otherwise than "1. august 2026" (``2026-08-01``, ``01.08.2026``, ``1/8``)."""
    return _OTHER_DATES.findall(text)


def hyphen_ranges(text: str) -> list[str]:
    """Number ranges with a hyphen (``2024-2027``, ``8.000-10.200``) instead of an en dash;
    ``0-5-årige`` (a name, not a range) is not one."""
    return _HYPHEN_RANGE.findall(text)


# ------------------------------------------------------------------------------ pages

#: An A4 page as the notes print it: characters in a full line of body text, and lines of body
#: text on a page. A full line of the bilag's body text holds 72–78 characters in the PDF the
#: notes print today (measured with pdftotext on Ishøj's bilag); 75 is used. The lines per page
#: are an estimate; the slow test in tests/test_bilag.py counts real pages.
LINE_CHARS = 75
PAGE_LINES = 46
#: Extra lines a block takes beyond its text (space before and after, a heading's size).
_GAP = {"Heading": 1.5, "Paragraph": 0.5, "BulletList": 0.5, "Table": 1.0, "KeyValue": 0.5,
        "Figure": 0.5, "Box": 1.0, "Section": 0.0}


def _text_lines(text: str, width: int = LINE_CHARS) -> int:
    return max(1, math.ceil(len(text) / max(8, width)))


def estimate_lines(block) -> float:
    """Lines of an A4 page a block fills (estimate: text length, table rows, logo height)."""
    kind = type(block).__name__
    gap = _GAP.get(kind, 0.5)
    if isinstance(block, doc.Heading):
        return gap + (2 if block.level == 1 else 1) * _text_lines(block.text, 60)
    if isinstance(block, doc.Paragraph):
        return gap + _text_lines(doc.plain(block.runs))
    if isinstance(block, doc.BulletList):
        return gap + sum(_text_lines(doc.plain(i), LINE_CHARS - 4) for i in block.items)
    if isinstance(block, doc.Table):
        ncol = max(1, len(block.head))
        # Each column gets its share of the line, in proportion to its longest cell.
        rows = [block.head, *block.rows, *block.foot]
        longest = [max((len(doc.plain(r[c])) for r in rows if c < len(r)), default=1) or 1
                   for c in range(ncol)]
        total = sum(longest)
        widths = [max(8, LINE_CHARS * n / total) for n in longest]
        lines = sum(max(_text_lines(doc.plain(c), int(widths[i])) for i, c in enumerate(r))
                    if r else 1 for r in rows)
        return gap + lines * 1.15 + (_text_lines(block.caption) if block.caption else 0)
    if isinstance(block, doc.Figure):
        if block.role == "logo":
            return 0.0  # floats beside the header fields
        return gap + 18 + (_text_lines(block.caption) if block.caption else 0)
    if isinstance(block, doc.KeyValue):
        return gap + _text_lines("   ".join(f"{k}: {v}" for k, v in block.pairs))
    if isinstance(block, (doc.Box, doc.Section)):
        return gap + sum(estimate_lines(c) for c in block.children)
    return 1.0


def _leaves(blocks: Iterable) -> list:
    out = []
    for b in blocks:
        if isinstance(b, (doc.Box, doc.Section)):
            out.extend(_leaves(b.children))
        else:
            out.append(b)
    return out


def estimate_pages(blocks: Iterable) -> float:
    """A4 pages the blocks fill (estimate; a block never splits across the estimate)."""
    return sum(estimate_lines(b) for b in _leaves(blocks)) / PAGE_LINES


def first_page(blocks: Iterable) -> list:
    """The leaf blocks that start on page 1 (estimate): every block until the page is full."""
    out, used = [], 0.0
    for b in _leaves(blocks):
        if used >= PAGE_LINES:
            break
        out.append(b)
        used += estimate_lines(b)
    return out


# ------------------------------------------------------------------------------ running text


def running_text(blocks: Iterable) -> str:
    """Paragraphs and list items (the running text LIX is measured on), one per line."""
    out = []
    for b in _leaves(blocks):
        if isinstance(b, doc.Paragraph):
            out.append(doc.plain(b.runs))
        elif isinstance(b, doc.BulletList):
            out.extend(doc.plain(i) for i in b.items)
    return "\n".join(out)


def all_text(blocks: Iterable) -> str:
    """The visible text of the blocks, each block, list item and table cell on its own line;
    header fields (case numbers, names) and pictures are identifiers, not prose, and left out."""
    return "\n".join(doc.plain_text(b) for b in _leaves(blocks)
                     if not isinstance(b, (doc.KeyValue, doc.Figure)))
