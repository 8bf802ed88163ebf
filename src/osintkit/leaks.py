"""The leak check: an edition's files hold no text of a portion the edition removed.

Every removed portion's text is cut into fragments of :data:`FRAGMENT_WORDS` words, after
normalising it as a reader would compare it (Unicode NFKC, case folded, soft hyphens and a
line-end hyphenation undone, words as runs of letters and digits, so markup and punctuation
do not hide a match). A fragment that also occurs in what the edition keeps is exempt: shared
wording is not a leak. None of the others may occur in the edition's HTML text, its PDF's
extracted text, its PDF's metadata (title, subject, keywords) or a file attached to the PDF
(but a kept source's capture, which is released with it). A removed portion's name (a
source's title and URLs, a section's or annex's title, a challenge's label) is looked for
whole as well: most are shorter than a fragment. So is the SHA-256 of a removed source's
capture, whole or as printed, which is one word.

What is restricted and what is kept are read from the full brief and its marking here, not
from the edition :mod:`osintkit.editions` derived: a derivation that forgot to cut something
is caught, not excused.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import unicodedata
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass

from osintkit.editions import Removed, strings
from osintkit.errors import OsintkitError, format_key_path, shortened
from osintkit.fields import SHA256_PRINTED
from osintkit.markdown import plain_text, split_lines
from osintkit.models import Brief
from osintkit.portions import MARKED_LISTS, Marking, item, marked_fields, portion_level, portion_of
from osintkit.tradecraft import tlp_above

#: How many words in a row make a fragment that must not leak.
FRAGMENT_WORDS = 6

_WORD_RE = re.compile(r"\w+")
_HYPHENATED_RE = re.compile(r"[-\u2010]\s*\n\s*")
_TAG_RE = re.compile(r"<[^>]*>")
#: What the HTML holds besides its text: style, scripts, inlined images.
_NOT_TEXT_RE = re.compile(r"<(style|script)\b.*?</\1\s*>|\bdata:[^\"'\s)]+", re.DOTALL | re.I)
#: A JSON-LD block: data a machine reads (metadata.html.j2's schema.org record), not code.
_JSON_LD_RE = re.compile(
    r"""<script\s[^>]*\btype\s*=\s*["']?application/ld\+json\b[^>]*>(.*?)</script\s*>""",
    re.DOTALL | re.I,
)


class LeakError(OsintkitError):
    """An edition's file holds text of a portion the edition removed; ``leak`` says which."""

    def __init__(self, message: str, leak: Leak | None = None) -> None:
        super().__init__(message)
        self.leak = leak


@dataclass(frozen=True, slots=True)
class Leak:
    """One fragment of removed text found in an edition's file."""

    fragment: str
    #: The removed portion it came from.
    portion: Removed
    #: Where it was found: "HTML text", "PDF text", "PDF metadata (title)", "attached file x".
    where: str

    def __str__(self) -> str:
        return (
            f"leak check: removed text {shortened(self.fragment)!r} "
            f"(from {format_key_path(self.portion.key_path)}) is in the {self.where}"
        )


def words(text: str) -> list[str]:
    """``text`` as the words a comparison sees: NFKC, case folded, hyphenation undone."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return _WORD_RE.findall(_HYPHENATED_RE.sub("", text).casefold())


def fragments(text: str) -> set[tuple[str, ...]]:
    """Every run of :data:`FRAGMENT_WORDS` words of ``text``."""
    found = words(text)
    return {tuple(found[i : i + FRAGMENT_WORDS]) for i in range(len(found) - FRAGMENT_WORDS + 1)}


def _readings(text: str) -> Iterator[str]:
    """``text`` as written and as a reader reads it (Markdown rendered to plain text)."""
    yield text
    yield plain_text(text)


def split(brief: Brief, mark: Marking, level: str) -> tuple[list[Removed], list[str]]:
    """The text of ``brief`` above ``level`` (by portion) and the text at or below it."""
    restricted: list[Removed] = []
    kept: list[str] = []
    above: set[tuple[str | int, ...]] = set()
    for prefix in MARKED_LISTS:
        values = item(brief, prefix)
        assert isinstance(values, list)
        for i, value in enumerate(values):
            if tlp_above(portion_level(brief, mark, (*prefix, i)), level):
                above.add((*prefix, i))
                restricted.append(Removed((*prefix, i), "\n".join(strings(value))))
    markdown = set()
    for marked in marked_fields(brief, mark):
        markdown.add(marked.key_path)
        if portion_of(marked.key_path) in above:
            continue
        lines = split_lines(marked.text)
        for n, line in enumerate(lines):
            cut = tlp_above(marked.level_at_line(n), level) or any(
                b.lines[0] <= n < b.lines[1] and tlp_above(marked.block_level(b), level)
                for b in marked.blocks
            )
            if cut:
                restricted.append(Removed(marked.key_path, line, (n, n + 1)))
            else:
                kept.append(line)
    # Everything else a kept portion or the title block holds: labels, titles, dates.
    kept.extend(_plain_strings(brief, above, markdown))
    return _joined(restricted), kept


def _plain_strings(
    value: object,
    above: set[tuple[str | int, ...]],
    markdown: set[tuple[str | int, ...]],
    at: tuple[str | int, ...] = (),
) -> list[str]:
    from pydantic import BaseModel

    if at in above or at in markdown:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, BaseModel):
        return [
            s
            for name in type(value).model_fields
            for s in _plain_strings(getattr(value, name), above, markdown, (*at, name))
        ]
    if isinstance(value, list | tuple):
        return [
            s
            for i, entry in enumerate(value)
            for s in _plain_strings(entry, above, markdown, (*at, i))
        ]
    return []


def _joined(lines: list[Removed]) -> list[Removed]:
    """Restricted lines of a field that follow one another, as one text (a fragment may run
    across a line break)."""
    result: list[Removed] = []
    for removed in lines:
        last = result[-1] if result else None
        if (
            last is not None
            and removed.lines is not None
            and last.lines is not None
            and last.key_path == removed.key_path
            and last.lines[1] == removed.lines[0]
        ):
            result[-1] = Removed(
                last.key_path, last.text + removed.text, (last.lines[0], removed.lines[1])
            )
        else:
            result.append(removed)
    return result


def forbidden(brief: Brief, mark: Marking, level: str) -> dict[tuple[str, ...], Removed]:
    """The fragments of ``brief``'s text above ``level`` that an edition for ``level`` must
    not hold, each with its portion; those the edition's own text also has are exempt."""
    restricted, kept_text = split(brief, mark, level)
    kept: set[tuple[str, ...]] = set()
    for value in kept_text:
        for reading in _readings(value):
            kept |= fragments(reading)
    result: dict[tuple[str, ...], Removed] = {}
    for portion in restricted:
        for reading in _readings(portion.text):
            for fragment in sorted(fragments(reading) - kept):
                result.setdefault(fragment, portion)
    return result


#: Attributes whose values a reader gets too: a figure's text alternative, a tooltip, a
#: label read aloud, a meta element's content (description, keywords).
_READ_ATTRIBUTE_RE = re.compile(
    r"""\s(?:alt|title|aria-label|content)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I
)


def html_text(document: str) -> str:
    """The text of an HTML document, without its styles, scripts and inlined images, and
    the values of the attributes a reader gets (``alt``, ``title``, ``aria-label``,
    ``content``) and the strings of its JSON-LD blocks."""
    data = [text for block in _JSON_LD_RE.findall(document) for text in _json_strings(block)]
    document = _NOT_TEXT_RE.sub(" ", document)
    read = [a or b for a, b in _READ_ATTRIBUTE_RE.findall(document)]
    return " ".join([html.unescape(" ".join([_TAG_RE.sub(" ", document), *read])), *data])


def _json_strings(text: str) -> Iterator[str]:
    """Every string in the JSON ``text``, decoded (``\\u003c`` is ``<``); the text itself when
    it is not JSON, so that nothing a reader of the block gets goes unread."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # a template's own block, nested past any reason
        yield text
        return
    # A stack, not recursion: a block nested thousands deep must not end the check.
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(reversed([part for pair in value.items() for part in pair]))
        elif isinstance(value, list):
            stack.extend(reversed(value))


def pdf_texts(data: bytes, evidence: Container[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(where, text) of everything a PDF gives a reader: its pages' text, its metadata, and
    every attached file (as UTF-8, and its SHA-256 as one more word).

    An attached file whose SHA-256 is in ``evidence`` (a kept source's capture, released with
    it) is not read as text: a public page may well hold words a restricted portion quotes.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    yield "PDF text", "\n".join(page.extract_text() or "" for page in reader.pages)
    metadata = reader.metadata
    for key, name in (("/Title", "title"), ("/Subject", "subject"), ("/Keywords", "keywords")):
        value = metadata.get(key) if metadata is not None else None
        if value:
            yield f"PDF metadata ({name})", str(value)
    for name, contents in reader.attachments.items():
        for content in contents:
            digest = hashlib.sha256(content).hexdigest()
            if digest in evidence:
                continue
            where = f"file {name} attached to the PDF"
            yield where, content.decode("utf-8", "replace")
            yield f"{where} (its SHA-256)", digest


def find_leak(
    brief: Brief, mark: Marking, level: str, html_document: str, pdf: bytes | None
) -> Leak | None:
    """The first fragment of ``brief``'s text above ``level`` found in the HTML or the PDF of
    its edition for ``level``, or None. The full edition removes nothing: it never leaks.
    """
    if not tlp_above(mark.full, level):
        return None
    places: list[tuple[str, str]] = [("HTML text", html_text(html_document))]
    if pdf is not None:
        places.extend(pdf_texts(pdf, _kept_digests(brief, mark, level)))
    return find_leak_in(brief, mark, level, places)


def find_leak_in(
    brief: Brief, mark: Marking, level: str, places: Iterable[tuple[str, str]]
) -> Leak | None:
    """The first fragment or name of ``brief``'s text above ``level`` found in one of
    ``places``, (where, text) pairs of an edition for ``level`` (an export's strings), or
    None."""
    if not tlp_above(mark.full, level):
        return None
    banned = forbidden(brief, mark, level)
    return next(_leaks(banned, removed_names(brief, mark, level), places), None)


#: The fields that name a removed portion: a source's title and addresses, a section's or an
#: annex's title, a challenge's label. Most are shorter than a fragment ("Informant roster",
#: a URL of four words), so each is looked for whole.
_NAME_FIELDS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("sources",): ("title", "url", "archive_url"),
    ("sections",): ("title",),
    ("appendices",): ("title",),
    ("challenges", "items"): ("label",),
}
#: A name of fewer words is too common to tell from other text ("Ports", "Weather"); a
#: capture's SHA-256 is one word and is a name all the same (:func:`removed_digests`).
NAME_WORDS = 2


def removed_names(brief: Brief, mark: Marking, level: str) -> dict[str, Removed]:
    """The names of ``brief``'s portions above ``level`` (as :func:`words`, joined by
    spaces) that an edition for ``level`` must not hold, each with its portion; a name the
    edition's own text also holds is exempt, as shared wording is. The digests of removed
    captures (:func:`removed_digests`) are names too, exempt only as a kept capture's."""
    _restricted, kept_text = split(brief, mark, level)
    kept = f" {' '.join(' '.join(words(r)) for v in kept_text for r in _readings(v))} "
    result: dict[str, Removed] = {}
    for prefix, fields in _NAME_FIELDS.items():
        values = item(brief, prefix)
        assert isinstance(values, list)
        for i, value in enumerate(values):
            if not tlp_above(portion_level(brief, mark, (*prefix, i)), level):
                continue
            texts = [str(getattr(value, field) or "") for field in fields]
            names = [" ".join(words(text)) for text in texts]
            names = [name for name in names if len(name.split()) >= NAME_WORDS]
            portion = Removed((*prefix, i), "\n".join(strings(value)))
            for name in names:
                if f" {name} " not in kept:
                    result.setdefault(name, portion)
    for digest, portion in removed_digests(brief, mark, level).items():
        result.setdefault(digest, portion)
    return result


def removed_digests(brief: Brief, mark: Marking, level: str) -> dict[str, Removed]:
    """The SHA-256 digests of the captures of sources above ``level``, and their first
    :data:`SHA256_PRINTED` digits, each with its source: one word each, which no run of six
    words would catch. A digest a kept source's capture also has is exempt."""
    kept: set[str] = set()
    result: dict[str, Removed] = {}
    for i, source in enumerate(brief.sources):
        digests = {c.sha256 for c in source.captures}
        digests |= {d[:SHA256_PRINTED] for d in digests}
        if tlp_above(portion_level(brief, mark, ("sources", i)), level):
            portion = Removed(("sources", i), "\n".join(strings(source)))
            for digest in sorted(digests):
                result.setdefault(digest, portion)
        else:
            kept |= digests
    return {digest: portion for digest, portion in result.items() if digest not in kept}


def _kept_digests(brief: Brief, mark: Marking, level: str) -> set[str]:
    """The SHA-256 of every capture of a source at or below ``level``."""
    return {
        capture.sha256
        for i, source in enumerate(brief.sources)
        if not tlp_above(portion_level(brief, mark, ("sources", i)), level)
        for capture in source.captures
    }


def _leaks(
    banned: dict[tuple[str, ...], Removed],
    names: dict[str, Removed],
    places: Iterable[tuple[str, str]],
) -> Iterator[Leak]:
    for where, text in places:
        for fragment in sorted(fragments(text) & banned.keys()):
            yield Leak(" ".join(fragment), banned[fragment], where)
        if names:
            said = f" {' '.join(words(text))} "
            for name in sorted(names):
                if f" {name} " in said:
                    yield Leak(name, names[name], where)
