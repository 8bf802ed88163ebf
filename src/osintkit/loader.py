"""Bytes on disk → plain Python data plus the line and column of every key and value.

The loader composes the YAML node graph itself (ruamel.yaml, YAML 1.2) instead of asking a
constructor for Python objects, so that it can:

* keep a position for every key path, which turns Pydantic's error locations into file:line:col;
* count nodes as it walks, so an alias "billion laughs" fails fast instead of eating memory;
* reject duplicate keys and tags a brief has no use for, each with its position;
* leave timestamps as text, so ``date: 2025-02-30`` reaches Pydantic and gets a located error.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from osintkit.errors import BriefError, BriefErrors, KeyPath, format_key_path

#: A brief is a few dozen kilobytes; anything this large is a mistake or an attack.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Nodes visited, counting every alias expansion again; a long brief has a few hundred.
MAX_NODES = 50_000
MAX_DEPTH = 32

_PLAIN_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


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
        value = self._value_at(path)
        if not isinstance(value, str) or not 0 <= offset < len(value):
            return (where.line + 1, where.column + 1)
        return self._position(self._source_index(where, value, offset))

    def locate_key(self, key_path: KeyPath) -> tuple[int, int]:
        """Return the 1-based (line, column) of the key that ends ``key_path``."""
        where = self._keys.get(key_path)
        if where is None:
            return self.locate(key_path)
        return (where.line + 1, where.column + 1)

    def _value_at(self, key_path: KeyPath) -> Any:
        value = self.data
        for part in key_path:
            value = value[part]
        return value

    def _source_index(self, where: _Where, value: str, offset: int) -> int:
        """Map a character of a parsed scalar back to its index in the source.

        Folding, indentation and escapes change only whitespace and escape syntax, so each
        non-space character of the value is the next occurrence of itself in the source,
        after any whitespace, within a few characters. Walking the value that way stays in
        step with every scalar style without re-implementing YAML's scanner.
        """
        source, end = self.source, where.end
        cursor = where.start
        if where.style in ("|", ">"):
            cursor = source.find("\n", cursor, end) + 1 or end  # past the header line
        elif where.style in ('"', "'"):
            cursor += 1
        for i, char in enumerate(value[: offset + 1]):
            while cursor < end and source[cursor] in " \t\r\n":
                cursor += 1
            if char.isspace():
                continue
            found = source.find(char, cursor, min(end, cursor + _ESCAPE_WINDOW))
            if i == offset:
                return found if found >= 0 else cursor
            if found >= 0:
                cursor = found + 1
        return cursor

    def _position(self, index: int) -> tuple[int, int]:
        if not self._line_starts:
            self._line_starts = [0]
            self._line_starts.extend(i + 1 for i, c in enumerate(self.source) if c == "\n")
        line = bisect.bisect_right(self._line_starts, index) - 1
        return (line + 1, index - self._line_starts[line] + 1)


def load_yaml(path: Path) -> LoadedDocument:
    """Read and parse one YAML file.

    Returns the document with its position map. Raises :class:`BriefErrors` for a missing or
    unreadable file, a file over the size cap, bad UTF-8, YAML syntax errors, duplicate keys,
    unsupported tags and alias expansions past the node limit.
    """
    text = _read_text(path)
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> LoadedDocument:
    """Parse YAML ``text`` that came from ``path`` (used in messages only); see load_yaml."""
    yaml = YAML(typ="safe", pure=True)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise BriefErrors.single(path, f"YAML syntax error: {problem}", line, column) from None
    except (YAMLError, RecursionError) as exc:
        raise BriefErrors.single(path, f"YAML error: {exc}") from None
    if root is None:
        raise BriefErrors.single(path, "the file is empty", 1, 1)
    builder = _Builder(path, yaml)
    data = builder.build(root, (), 0)
    if builder.errors:
        raise BriefErrors(builder.errors)
    document = LoadedDocument(path, data, text)
    document._values.update(builder.values)
    document._keys.update(builder.keys)
    return document


def _read_text(path: Path) -> str:
    try:
        if path.is_dir():
            raise BriefErrors.single(path, "is a folder, not a brief file")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise BriefErrors.single(path, "no such file") from None
    except OSError as exc:
        raise BriefErrors.single(path, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise BriefErrors.single(path, f"file is larger than {limit} MiB; a brief never is")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[:line_start].count(b"\n") + 1
        # Columns count characters, as the YAML parser's do, not bytes.
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise BriefErrors.single(
            path,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            line,
            column,
        ) from None


class _Builder:
    """Walks a composed node graph into dicts, lists and scalars, recording positions."""

    def __init__(self, path: Path, yaml: YAML) -> None:
        self.path = path
        self.constructor = yaml.constructor
        self.values: dict[KeyPath, _Where] = {}
        self.keys: dict[KeyPath, _Where] = {}
        self.errors: list[BriefError] = []
        self.nodes = 0

    def _error(self, node: Node, key_path: KeyPath, message: str) -> None:
        mark = node.start_mark
        self.errors.append(
            BriefError(
                self.path, mark.line + 1, mark.column + 1, format_key_path(key_path), message
            )
        )

    def build(self, node: Node, key_path: KeyPath, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            # Raised, not collected: every further node would only repeat it.
            mark = node.start_mark
            raise BriefErrors.single(
                self.path,
                f"document expands to more than {MAX_NODES} nodes (too many aliases?)",
                mark.line + 1,
                mark.column + 1,
            )
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
            key = str(key_node.value)
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
            return str(node.value)
        if tag in _PLAIN_TAGS:
            try:
                return self.constructor.construct_object(node, deep=True)
            except (ValueError, OverflowError) as exc:
                self._error(node, key_path, f"cannot read this value: {exc}")
                return None
        self._error(node, key_path, f"unsupported YAML tag {tag}")
        return None
