"""Bytes on disk → plain Python data plus the line and column of every key and value.

The loader composes the YAML node graph itself (ruamel.yaml, YAML 1.2) instead of asking a
constructor for Python objects, so that it can:

* keep a position for every key path, which turns Pydantic's error locations into file:line:col;
* count nodes as it walks, so an alias "billion laughs" fails fast instead of eating memory;
* reject duplicate keys and tags a brief has no use for, each with its position;
* leave timestamps as text, so ``date: 2025-02-30`` reaches Pydantic and gets a located error;
* refuse text that is not text: a lone surrogate or a control character written as an escape
  (``"\\uD800"``, ``"\\x1b"``) would otherwise reach the report and break its UTF-8 writer.

Every failure of the parser itself, whatever the input, becomes a located Diagnostic.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import Reader, ReaderError
from ruamel.yaml.scanner import Scanner, ScannerError

from osintkit.errors import (
    QUOTE_LIMIT,
    BriefErrors,
    Diagnostic,
    KeyPath,
    Severity,
    format_key_path,
    shortened,
)
from osintkit.paths import NotARegularFileError, read_regular_file

#: A brief is a few dozen kilobytes; anything this large is a mistake or an attack.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Nodes composed, an alias counting as the nodes it stands for. A long brief has a few hundred
#: (a hundred pages: 824); composing costs some 70 µs a node, so this is also a time bound.
MAX_NODES = 10_000
MAX_DEPTH = 32
#: Lines of a file: the reference brief has 120, one of a hundred pages 3 000.
MAX_LINES = 100_000
#: Where the parser itself stops; far past MAX_DEPTH (which names the field) and far short of
#: Python's recursion limit, which the composer would otherwise hit at a few hundred levels.
MAX_PARSER_DEPTH = 4 * MAX_DEPTH

_PLAIN_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"

#: Code points a report cannot show: HTML forbids controls other than whitespace (C0, DEL, C1
#: with NEL) and non-characters, and a lone surrogate cannot even be written as UTF-8. YAML
#: refuses most of them in the file itself but lets escapes such as "\x1b" and "\uD800" through.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
)
_NOT_TEXT_RE = re.compile(
    f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff{_NONCHARACTERS}]"
)
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
#: The longest tag, anchor, alias or directive line a brief may hold (it needs none at all).
MAX_NAME = 1024
#: A run of MAX_NAME + 1 characters that ruamel would scan as one tag, anchor name or directive
#: line: what ends each, as its scanner sees it, is the negated class.
_LONG_TAG_RE = re.compile(rf"[^\0 \r\n\x85\u2028\u2029]{{{MAX_NAME + 1}}}")
_LONG_ANCHOR_RE = re.compile(
    rf"[^\x00-\x20\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff,\[\]{{}}]{{{MAX_NAME + 1}}}"
)
_LONG_LINE_RE = re.compile(rf"[^\0\r\n\x85\u2028\u2029]{{{MAX_NAME + 1}}}")
#: Characters from which the reader moves forward over a run at once, not one by one.
_BULK = 16
#: Line breaks as ruamel's reader counts them as it moves forward.
_READER_BREAK_RE = re.compile(r"\n|\r(?!\n)")
#: Line breaks as ruamel counts them when it marks a position (YAML 1.2: CRLF, LF, lone CR).
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class _Where:
    line: int  # 0-based, as ruamel marks them
    column: int
    style: str | None = None
    start: int = 0  # character index of the node's first character in the source
    end: int = 0


#: How far past the last matched character the next one may sit: covers escapes such as
#: ``\U0001F600`` and ``''``, which stand for one character of the value.
_ESCAPE_WINDOW = 12


@dataclass(slots=True)
class LoadedDocument:
    """A parsed YAML file: its data and where each part of it stands in the file."""

    path: Path
    data: Any
    source: str
    _values: dict[KeyPath, _Where] = field(default_factory=dict)
    _keys: dict[KeyPath, _Where] = field(default_factory=dict)
    _line_starts: list[int] = field(default_factory=list)

    def locate(self, key_path: KeyPath, offset: int | None = None) -> tuple[int, int]:
        """Return the 1-based (line, column) of the value at ``key_path``.

        With ``offset``, the position of that character inside a string value, in any scalar
        style: block (``|``, ``>``), quoted with escapes, or plain over several lines. A path
        that is not in the file (a missing field) falls back to its nearest parent that is.
        """
        path = key_path
        while path not in self._values and path:
            path = path[:-1]
        where = self._values.get(path)
        if where is None:
            return (1, 1)
        if offset is None or path != key_path:
            return (where.line + 1, where.column + 1)
        return self.locate_offsets(key_path, [offset])[0]

    def locate_offsets(self, key_path: KeyPath, offsets: list[int]) -> list[tuple[int, int]]:
        """Return the 1-based (line, column) of each of ``offsets`` (ascending) in a string
        value, as :meth:`locate` does for one: in one pass over the value however many."""
        where = self._values.get(key_path)
        value = self._value_at(key_path) if where is not None else None
        if where is None or not isinstance(value, str):
            return [self.locate(key_path)] * len(offsets)
        inside = [o for o in offsets if 0 <= o < len(value)]
        indexes = iter(_source_indexes(self.source, where, value, inside))
        start = (where.line + 1, where.column + 1)
        return [self._position(next(indexes)) if 0 <= o < len(value) else start for o in offsets]

    def diagnostic(
        self,
        key_path: KeyPath,
        rule: str,
        message: str,
        offset: int | None = None,
        severity: Severity = "error",
    ) -> Diagnostic:
        """Return a :class:`Diagnostic` located at ``key_path`` (and ``offset`` in its text)."""
        line, column = self.locate(key_path, offset)
        field = format_key_path(key_path)
        return Diagnostic(self.path, line, column, field, rule, message, severity)

    def locate_key(self, key_path: KeyPath) -> tuple[int, int]:
        """Return the 1-based (line, column) of the key that ends ``key_path``."""
        where = self._keys.get(key_path)
        if where is None:
            return self.locate(key_path)
        return (where.line + 1, where.column + 1)

    def span(self, key_path: KeyPath) -> tuple[int, int]:
        """The indexes in :attr:`source` where the value at ``key_path`` starts and ends.

        A block collection ends, as the parser marks it, where the next token starts: past
        any blank lines and comments after it. Raises KeyError for a path not in the file.
        """
        where = self._values[key_path]
        return where.start, where.end

    def spans_under(
        self, key_path: KeyPath
    ) -> Iterator[tuple[KeyPath, tuple[int, int, str | None]]]:
        """Every value at or under ``key_path`` with its start, end and scalar style
        (``|``, ``>``, a quote, or None: plain, or a collection)."""
        size = len(key_path)
        for path, where in self._values.items():
            if path[:size] == key_path:
                yield path, (where.start, where.end, where.style)

    def value_at(self, key_path: KeyPath) -> Any:
        """The data at ``key_path``; raises KeyError or IndexError if there is none."""
        return self._value_at(key_path)

    def _value_at(self, key_path: KeyPath) -> Any:
        value = self.data
        for part in key_path:
            value = value[part]
        return value

    def _position(self, index: int) -> tuple[int, int]:
        if not self._line_starts:
            self._line_starts = _line_starts(self.source)
        return _position(self._line_starts, index)


def _source_index(source: str, where: _Where, value: str, offset: int) -> int:
    """Map a character of a parsed scalar back to its index in the source (see below)."""
    return _source_indexes(source, where, value, [offset])[0]


def _source_indexes(source: str, where: _Where, value: str, offsets: list[int]) -> list[int]:
    """Map characters of a parsed scalar (ascending ``offsets``) back to indexes in the source.

    Folding, indentation and escapes change only whitespace and escape syntax, so each
    non-space character of the value is the next occurrence of itself in the source,
    after any whitespace, within a few characters. Walking the value that way stays in
    step with every scalar style without re-implementing YAML's scanner. A character that
    only an escape can write (a control character) is not found, and lands on its escape.
    One walk serves every offset, so locating many characters of one value costs one pass.
    """
    end = where.end
    cursor = where.start
    if where.style in ("|", ">"):
        cursor = source.find("\n", cursor, end) + 1 or end  # past the header line
    elif where.style in ('"', "'"):
        cursor += 1
    found_at: list[int] = []
    wanted = iter(offsets)
    target = next(wanted, None)
    for i, char in enumerate(value[: offsets[-1] + 1] if offsets else ""):
        while cursor < end and source[cursor] in " \t\r\n":
            cursor += 1
        if char.isspace():
            found = -1
        else:
            found = source.find(char, cursor, min(end, cursor + _ESCAPE_WINDOW))
        while i == target:
            found_at.append(found if found >= 0 else cursor)
            target = next(wanted, None)
        if found >= 0:
            cursor = found + 1
    while target is not None:  # past the value's end: where the walk stopped
        found_at.append(cursor)
        target = next(wanted, None)
    return found_at


def _line_starts(text: str) -> list[int]:
    """The index of the first character of every line of ``text``."""
    return [0, *(match.end() for match in _LINE_BREAK_RE.finditer(text))]


def _position(line_starts: list[int], index: int) -> tuple[int, int]:
    """The 1-based (line, column) of character ``index``, given the line starts."""
    line = bisect.bisect_right(line_starts, index) - 1
    return (line + 1, index - line_starts[line] + 1)


def load_yaml(path: Path) -> LoadedDocument:
    """Read and parse one YAML file.

    Returns the document with its position map. Raises :class:`BriefErrors` for a missing or
    unreadable file, a file over the size or line cap, bad UTF-8, YAML syntax errors,
    duplicate keys, unsupported tags, names past the scanner's limit and documents past the
    node or depth limit.
    """
    text = _read_text(path)
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> LoadedDocument:
    """Parse YAML ``text`` that came from ``path`` (used in messages only); see load_yaml."""
    # ruamel spends microseconds on every line break, even of blank lines: 2 MiB of them took
    # seconds. Counted in C, before parsing, as ruamel counts lines (CRLF, LF, a lone CR).
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    if lines > MAX_LINES:
        message = f"the file has more than {MAX_LINES} lines; a brief never does"
        raise BriefErrors.single(path, message, MAX_LINES + 1, 1, rule="yaml")
    yaml = YAML(typ="safe", pure=True)
    yaml.Reader = _Reader
    yaml.Scanner = _Scanner
    yaml.Composer = _Composer
    yaml.max_depth = MAX_PARSER_DEPTH
    # Redefining an anchor is valid YAML; ruamel would print a warning from inside the core.
    yaml.composer.warn_double_anchors = False
    try:
        root = yaml.compose(text)
    except _TooManyNodes as exc:
        line, column = _mark_position(exc.problem_mark, yaml)
        message = f"document expands to more than {MAX_NODES} nodes (too many aliases?)"
        raise BriefErrors.single(path, message, line, column, rule="yaml") from None
    except MaxDepthExceededError as exc:
        line, column = _mark_position(exc.problem_mark, yaml)
        message = f"nested more than {MAX_PARSER_DEPTH} levels deep"
        raise BriefErrors.single(path, message, line, column, rule="yaml") from None
    except MarkedYAMLError as exc:
        line, column = _mark_position(exc.problem_mark or exc.context_mark, yaml)
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        problem = _cut_quotes(problem)
        raise BriefErrors.single(
            path, f"YAML syntax error: {problem}", line, column, rule="yaml"
        ) from None
    except ReaderError as exc:
        # The reader refuses characters YAML does not allow in a file, before any parsing.
        line, column = _position(_line_starts(text), exc.position)
        message = f"YAML does not allow {_describe(chr(exc.character))} in a file"
        if exc.character == 0:
            message += "; is it UTF-16? save the file as UTF-8"
        raise BriefErrors.single(path, message, line, column, rule="yaml") from None
    except (YAMLError, RecursionError, ValueError, OverflowError, AssertionError) as exc:
        # The parser is third-party code fed untrusted text; beyond its own errors it has been
        # seen to raise ValueError and OverflowError (a \U escape past U+10FFFF) and
        # AssertionError. Any of them is this input's fault, so report it where it stopped.
        line, column = _mark_position(None, yaml)
        detail = _cut_quotes(str(exc).splitlines()[0]) if str(exc) else type(exc).__name__
        raise BriefErrors.single(path, f"YAML error: {detail}", line, column, rule="yaml") from None
    if root is None:
        raise BriefErrors.single(path, "the file is empty", 1, 1, rule="yaml")
    builder = _Builder(path, yaml, text)
    data = builder.build(root, (), 0)
    if builder.errors:
        raise BriefErrors(builder.errors)
    document = LoadedDocument(path, data, text)
    document._values.update(builder.values)
    document._keys.update(builder.keys)
    return document


class _Reader(Reader):
    """A reader that remembers where it stopped (ruamel resets it as compose() fails), and that
    moves forward over a run of characters at once.

    ruamel's own ``forward`` steps one character at a time in Python to count lines and
    columns; on a 2 MiB scalar that is a quarter of the time the whole parse takes.
    """

    stopped_at: tuple[int, int] = (0, 0)

    def forward(self, length: int = 1) -> None:
        if self.pointer + length + 1 >= len(self.buffer):
            self.update(length + 1)
        buffer, start = self.buffer, self.pointer
        if length < _BULK:  # a few characters: stepping is cheaper, as ruamel's own does it
            while length:
                char = buffer[self.pointer]
                self.pointer += 1
                self.index += 1
                if char == "\n" or (char == "\r" and buffer[self.pointer] != "\n"):
                    self.line += 1
                    self.column = 0
                elif char != "\ufeff":
                    self.column += 1
                length -= 1
            return
        end = start + length
        # As ruamel counts them: a line ends at "\n", and at a "\r" not followed by "\n".
        last_break = -1
        for match in _READER_BREAK_RE.finditer(buffer, start, end + 1):
            if match.start() >= end:
                break
            self.line += 1
            last_break = match.start()
        if last_break >= 0:
            self.column = end - last_break - 1 - buffer.count("\ufeff", last_break + 1, end)
        else:
            self.column += length - buffer.count("\ufeff", start, end)
        self.pointer = end
        self.index += length

    def reset_reader(self) -> None:
        if getattr(self, "buffer", ""):
            self.stopped_at = (self.line, self.column)
        super().reset_reader()


class _Scanner(Scanner):
    """A scanner that reads every file as YAML 1.2, as the README promises, and refuses names
    no brief needs that are long enough to cost time.

    A ``%YAML 1.1`` directive would switch ``title: NO`` back to a boolean, and a version ruamel
    does not know (``%YAML 1.3``) fails an assertion deep inside it. ruamel decodes a tag in
    quadratic time (two minutes for one of 2 MB), and scans anchors, aliases and directives a
    call per character; each is checked first, in a look-ahead of at most MAX_NAME characters.
    Flow collections stop at the parser's depth limit, as block ones do in the composer.
    """

    def scan_yaml_directive_value(self, start_mark: Any) -> Any:
        version = super().scan_yaml_directive_value(start_mark)
        if version != (1, 2):
            major, minor = version
            raise ScannerError(
                None,
                None,
                f"a brief is read as YAML 1.2, not {major}.{minor}; remove the %YAML line",
                start_mark,
            )
        return version

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
        # The scanner looks ahead while a "[" may still start a key, and checks every pending
        # one at each token: a line of "[[[[" costs quadratic time long before the composer's
        # depth limit would stop it.
        if self.flow_level >= MAX_PARSER_DEPTH:
            mark = self.reader.get_mark()
            raise MaxDepthExceededError(None, None, "nested too deeply", mark)
        super().fetch_flow_collection_start(TokenClass, to_push)

    def scan_directive(self) -> Any:
        self._refuse_long("a directive", _LONG_LINE_RE)
        return super().scan_directive()

    def scan_tag(self) -> Any:
        self._refuse_long("a tag", _LONG_TAG_RE)
        return super().scan_tag()

    def scan_anchor(self, TokenClass: Any) -> Any:  # noqa: N803 (ruamel's name)
        what = "an alias" if self.reader.peek() == "*" else "an anchor"
        self._refuse_long(what, _LONG_ANCHOR_RE)
        return super().scan_anchor(TokenClass)

    def _refuse_long(self, what: str, too_long: re.Pattern[str]) -> None:
        """Raise ScannerError if what follows the indicator is a run ``too_long`` matches."""
        ahead = self.reader.prefix(MAX_NAME + 2)  # the indicator, then one more than the limit
        if too_long.match(ahead, 1):
            message = f"{what} longer than {MAX_NAME} characters; a brief needs none this long"
            raise ScannerError(None, None, message, self.reader.get_mark())


class _TooManyNodes(MarkedYAMLError):
    """The document has more than MAX_NODES nodes, counting each alias as what it stands for."""


class _Composer(Composer):
    """A composer that counts nodes as it builds them, and stops at MAX_NODES.

    Counting here, not after composing, is what bounds the work: the parser runs only as far
    as the composer asks, so a file of a million items stops after MAX_NODES of them instead
    of being composed whole first. An alias counts as the nodes it stands for, so that the
    walk over the composed graph (which expands aliases) stays within the same bound.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.nodes = 0
        #: How many nodes each anchored node stands for, by id(): what an alias to it costs.
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self.sizes.get(id(target))
                if size is None:
                    # The anchored node is still being composed: the alias is inside it.
                    raise ComposerError(
                        None, None, "an alias inside the node it names (a loop)", event.start_mark
                    )
                self._count(size, event)
            return super().compose_node(parent, index)
        before = self.nodes
        self._count(1, event)
        node = super().compose_node(parent, index)
        if event.anchor is not None:
            self.sizes[id(node)] = self.nodes - before
        return node

    def _count(self, nodes: int, event: Any) -> None:
        self.nodes += nodes
        if self.nodes > MAX_NODES:
            raise _TooManyNodes(None, None, "too many nodes", event.start_mark)


def _mark_position(mark: Any, yaml: YAML) -> tuple[int, int]:
    """The 1-based position of a ruamel mark, or of where the reader stopped without one."""
    if mark is not None:
        return (mark.line + 1, mark.column + 1)
    reader = getattr(yaml, "_reader", None)
    line, column = reader.stopped_at if isinstance(reader, _Reader) else (0, 0)
    return (line + 1, column + 1)


#: A value ruamel quotes in a message ("found undefined alias 'x'") longer than a message shows:
#: QUOTE_LIMIT characters (an escape counts as one), then more, in quotes. ruamel quotes with
#: repr(), so in either quote; an escape and a plain character never overlap (no backtracking).
_LONG_QUOTE_RE = re.compile(
    "|".join(rf"{q}((?:\\.|[^{q}\\]){{{QUOTE_LIMIT}}})(?:\\.|[^{q}\\])+{q}" for q in "'\"")
)


def _cut_quotes(message: str) -> str:
    """One of ruamel's messages with the input it quotes cut short, and the whole kept short."""
    cut = _LONG_QUOTE_RE.sub(lambda m: f"{m[0][0]}{m[1] or m[2]}…{m[0][0]}", message)
    return shortened(cut, 4 * QUOTE_LIMIT)


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot stand in a brief, as the loader says it of a value in a file
    ("contains the control character U+001B, which a brief cannot hold"), or None if it can."""
    bad = _NOT_TEXT_RE.search(value)
    return None if bad is None else _not_text_message(bad.group())


def _not_text_message(char: str) -> str:
    return f"contains {_describe(char)}, which a brief cannot hold"


def _describe(char: str) -> str:
    """Name a character a brief cannot hold, for a message."""
    code = ord(char)
    category = unicodedata.category(char)
    if category == "Cs":
        return f"a lone surrogate U+{code:04X} (half of a pair, not a character)"
    if category == "Cc":
        return f"the control character U+{code:04X}"
    return f"the non-character U+{code:04X}"  # U+FDD0–U+FDEF and the last two of each plane


def _read_text(path: Path) -> str:
    try:
        if path.is_dir():
            raise BriefErrors.single(path, "is a folder, not a brief file", rule="file")
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise BriefErrors.single(path, "no such file", rule="file") from None
    except NotARegularFileError:
        raise BriefErrors.single(
            path, "is not a regular file (a FIFO or a device?)", rule="file"
        ) from None
    except OSError as exc:
        raise BriefErrors.single(path, f"cannot read: {exc.strerror or exc}", rule="file") from None
    if len(raw) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise BriefErrors.single(
            path, f"file is larger than {limit} MiB; a brief never is", rule="file"
        )
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            message = f"the file is {encoding} (it starts with a byte order mark); save it as UTF-8"
            raise BriefErrors.single(path, message, 1, 1, rule="file")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Columns count characters, as the YAML parser's do, not bytes.
        before = raw[: exc.start].decode("utf-8", errors="replace")
        line, column = _position(_line_starts(before), len(before))
        raise BriefErrors.single(
            path,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            line,
            column,
            rule="file",
        ) from None


#: UTF-32 first: its little-endian mark begins with UTF-16's.
_OTHER_BOMS = [
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
]


class _Builder:
    """Walks a composed node graph into dicts, lists and scalars, recording positions."""

    def __init__(self, path: Path, yaml: YAML, source: str) -> None:
        self.path = path
        self.source = source
        self.line_starts: list[int] = []  # made when a position is first needed
        self.constructor = yaml.constructor
        self.values: dict[KeyPath, _Where] = {}
        self.keys: dict[KeyPath, _Where] = {}
        self.errors: list[Diagnostic] = []

    def _error(self, node: Node, key_path: KeyPath, message: str) -> None:
        mark = node.start_mark
        self.errors.append(
            Diagnostic(
                self.path,
                mark.line + 1,
                mark.column + 1,
                format_key_path(key_path),
                "yaml",
                message,
            )
        )

    def build(self, node: Node, key_path: KeyPath, depth: int) -> Any:
        # No node count here: the composer stopped at MAX_NODES, aliases expanded.
        if depth > MAX_DEPTH:
            self._error(node, key_path, f"nested more than {MAX_DEPTH} levels deep")
            return None
        style = getattr(node, "style", None) if isinstance(node, ScalarNode) else None
        start, end = node.start_mark, node.end_mark
        self.values.setdefault(
            key_path, _Where(start.line, start.column, style, start.index, end.index)
        )
        if isinstance(node, MappingNode):
            return self._mapping(node, key_path, depth)
        if isinstance(node, SequenceNode):
            return [
                self.build(item, (*key_path, i), depth + 1) for i, item in enumerate(node.value)
            ]
        return self._scalar(node, key_path)

    def _mapping(self, node: MappingNode, key_path: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._error(key_node, key_path, "merge keys (<<) are not supported in a brief")
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag not in (_STR, *_PLAIN_TAGS):
                self._error(key_node, key_path, "keys must be plain text")
                continue
            key = self._text(key_node, key_path, str(key_node.value))
            if key is None:
                continue
            child = (*key_path, key)
            if key in result:
                first = self.keys[child]
                self._error(
                    key_node, child, f"duplicate key (first given at line {first.line + 1})"
                )
                continue
            self.keys[child] = _Where(key_node.start_mark.line, key_node.start_mark.column)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _scalar(self, node: Node, key_path: KeyPath) -> Any:
        tag = node.tag
        if tag in (_STR, _TIMESTAMP):
            # Timestamps stay text: Pydantic parses dates and locates the bad ones.
            return self._text(node, key_path, str(node.value))
        if tag in _PLAIN_TAGS:
            try:
                return self.constructor.construct_object(node, deep=True)
            except (ValueError, OverflowError) as exc:
                # Python refuses to read integers of more than 4300 digits (a guard against
                # quadratic time); its message advises a call no brief author can make.
                reason = "the number is too long" if "digits" in str(exc) else str(exc)
                self._error(node, key_path, f"cannot read this value: {reason}")
                return None
        self._error(node, key_path, f"unsupported YAML tag {shortened(str(tag))}")
        return None

    def _text(self, node: Node, key_path: KeyPath, value: str) -> str | None:
        """Return ``value`` as text, or record an error at its first character that is not."""
        if _SURROGATE_RE.search(value):
            # YAML 1.2 escapes, like JSON's, may spell a character beyond U+FFFF as a pair.
            value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        bad = _NOT_TEXT_RE.search(value)
        if bad is None:
            return value
        start, end = node.start_mark, node.end_mark
        where = _Where(
            start.line, start.column, getattr(node, "style", None), start.index, end.index
        )
        index = _source_index(self.source, where, value, bad.start())
        if not self.line_starts:
            self.line_starts = _line_starts(self.source)
        line, column = _position(self.line_starts, index)
        message = _not_text_message(bad.group())
        field = format_key_path(key_path)
        self.errors.append(Diagnostic(self.path, line, column, field, "text", message))
        return None
