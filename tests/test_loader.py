"""The YAML loader: data as YAML 1.2 text, a position for every part, and limits that hold."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.reader import Reader

from osintkit.errors import (
    MAX_PROBLEMS,
    QUOTE_LIMIT,
    BriefErrors,
    Diagnostic,
    MoreProblems,
    merge,
)
from osintkit.loader import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LINES,
    MAX_NAME,
    MAX_NODES,
    MAX_PARSER_DEPTH,
    _Reader,
    load_yaml,
    parse_yaml,
)

PATH = Path("brief.yaml")


def problems(text: str) -> list[str]:
    """Return the messages parse_yaml raises for ``text``; fail if it raises nothing."""
    with pytest.raises(BriefErrors) as caught:
        parse_yaml(text, PATH)
    return [e.located for e in caught.value.errors]


def file_problems(path: Path) -> list[str]:
    with pytest.raises(BriefErrors) as caught:
        load_yaml(path)
    return [e.located for e in caught.value.errors]


def position_of(text: str, needle: str) -> tuple[int, int]:
    """The 1-based (line, column) where ``needle`` first occurs in ``text``, found by hand."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


# --- positions ------------------------------------------------------------------------------

POSITIONS = """\
title: plain value
quoted: "say [@x] here"
background: |
  first line
  second [@z] line
challenges:
  items:
    - label: One
      text: |
        alpha
          indented [@q]
"""


def test_locate_gives_the_start_of_each_value() -> None:
    document = parse_yaml(POSITIONS, PATH)
    assert document.locate(("title",)) == (1, 8)
    assert document.locate(("quoted",)) == (2, 9)  # the opening quote
    assert document.locate(("background",)) == (3, 13)  # the "|" indicator
    assert document.locate(("challenges", "items", 0)) == (8, 7)
    assert document.locate(("challenges", "items", 0, "label")) == (8, 14)


def test_locate_key_gives_the_key_itself() -> None:
    document = parse_yaml(POSITIONS, PATH)
    assert document.locate_key(("title",)) == (1, 1)
    assert document.locate_key(("challenges", "items")) == (7, 3)
    assert document.locate_key(("challenges", "items", 0, "text")) == (9, 7)


def test_a_path_not_in_the_file_falls_back_to_its_nearest_parent() -> None:
    document = parse_yaml(POSITIONS, PATH)
    assert document.locate(("challenges", "items", 0, "missing")) == (8, 7)
    assert document.locate(("challenges", "intro")) == (7, 3)
    assert document.locate(("nowhere",)) == (1, 1)


@pytest.mark.parametrize(
    ("key_path", "needle"),
    [
        (("title",), "value"),
        (("quoted",), "[@x]"),
        (("background",), "[@z]"),
        (("challenges", "items", 0, "text"), "[@q]"),
    ],
    ids=["plain", "double-quoted", "literal-block", "nested-literal-block-extra-indent"],
)
def test_offset_inside_a_string_is_located_exactly(
    key_path: tuple[str | int, ...], needle: str
) -> None:
    document = parse_yaml(POSITIONS, PATH)
    value = document.data
    for part in key_path:
        value = value[part]
    assert document.locate(key_path, value.index(needle)) == position_of(POSITIONS, needle)


def test_offset_in_a_literal_block_after_a_blank_line() -> None:
    text = "background: |\n  one\n\n  three [@c]\n"
    document = parse_yaml(text, PATH)
    offset = document.data["background"].index("[@c]")
    assert document.locate(("background",), offset) == (4, 9)


@pytest.mark.parametrize(
    "line", ["text: 'it''s [@y]'\n", 'text: "a \\"b\\" [@y]"\n'], ids=["single", "double"]
)
def test_offset_after_an_escape_in_a_quoted_scalar(line: str) -> None:
    document = parse_yaml(line, PATH)
    offset = document.data["text"].index("[@y]")
    assert document.locate(("text",), offset) == position_of(line, "[@y]")


def test_offset_inside_a_folded_block_scalar() -> None:
    text = "text: >-\n  Both nations face sanctions [@nope].\n"
    document = parse_yaml(text, PATH)
    offset = document.data["text"].index("[@nope]")
    assert document.locate(("text",), offset) == (2, 31)


@pytest.mark.parametrize(
    "text",
    [
        "text: >\n  first line folds\n      into one [@x] here\n",
        "text: plain words that\n  run over two lines [@x]\n",
        'text: "double quoted \\u00e9 and\n  folded [@x]"\n',
    ],
    ids=["folded-more-indented", "multi-line-plain", "unicode-escape"],
)
def test_offset_on_a_later_line_of_a_scalar(text: str) -> None:
    document = parse_yaml(text, PATH)
    offset = document.data["text"].index("[@x]")
    assert document.locate(("text",), offset) == position_of(text, "[@x]")


# --- what the data looks like ---------------------------------------------------------------


def test_yaml_1_2_scalars_stay_text() -> None:
    text = "title: NO\non: yes\nanswer: off\ndate: 2025-01-20\nstamp: 2025-01-20 10:00:00\n"
    assert parse_yaml(text, PATH).data == {
        "title": "NO",
        "on": "yes",
        "answer": "off",
        "date": "2025-01-20",
        "stamp": "2025-01-20 10:00:00",
    }


def test_plain_scalars_keep_their_types() -> None:
    text = "volume: 29\nratio: 1.5\nflag: true\nnothing: null\nlist: [a, 2]\n"
    assert parse_yaml(text, PATH).data == {
        "volume": 29,
        "ratio": 1.5,
        "flag": True,
        "nothing": None,
        "list": ["a", 2],
    }


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: x\nvolume: 2\n")
    document = load_yaml(path)
    assert document.data == {"title": "x", "volume": 2}
    assert document.locate_key(("title",)) == (1, 1)
    assert document.locate(("volume",)) == (2, 9)


# --- rejected input, each with its position --------------------------------------------------


def test_duplicate_key_names_the_line_of_the_first() -> None:
    text = "title: a\nvolume: 1\ntitle: b\n"
    assert problems(text) == ["brief.yaml:3:1: title: duplicate key (first given at line 1)"]


def test_duplicate_nested_key() -> None:
    text = "challenges:\n  items: []\n  title: x\n  items: []\n"
    assert problems(text) == [
        "brief.yaml:4:3: challenges.items: duplicate key (first given at line 2)"
    ]


def test_alias_bomb_fails_fast_with_the_node_limit() -> None:
    # Nine levels of ten aliases each: a billion nodes if it were expanded.
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        aliases = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{aliases}]")
    lines.append("bomb: [" + ", ".join(["*l8"] * 10) + "]")
    messages = problems("\n".join(lines) + "\n")
    assert len(messages) == 1
    assert f"document expands to more than {MAX_NODES} nodes (too many aliases?)" in messages[0]
    # At the alias that passes the limit, while composing: the eighth *l2 (1 111 nodes each) of
    # l3, after the 1 239 nodes before it.
    assert messages[0].startswith("brief.yaml:4:45:")


def test_a_few_aliases_are_fine() -> None:
    text = "a: &who [SpecialEurasia]\nb: *who\n"
    assert parse_yaml(text, PATH).data == {"a": ["SpecialEurasia"], "b": ["SpecialEurasia"]}


def test_nesting_is_limited() -> None:
    at_limit = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert parse_yaml(at_limit, PATH).data["a"] != []
    too_deep = "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    (message,) = problems(too_deep)
    assert message.startswith(f"brief.yaml:1:{3 + MAX_DEPTH + 1}: a[0]")
    assert message.endswith(f": nested more than {MAX_DEPTH} levels deep")


def test_nesting_past_the_parser_recursion_is_a_clean_error() -> None:
    # The parser stops at its own limit, long before Python's recursion limit would stop it:
    # here the scanner, which looks ahead of the composer, at the first "[" past the limit.
    assert problems("a: " + "[" * 5000 + "]" * 5000 + "\n") == [
        f"brief.yaml:1:{3 + MAX_PARSER_DEPTH + 1}: nested more than {MAX_PARSER_DEPTH} levels deep"
    ]
    # Block nesting, which the scanner does not count, stops in the composer.
    block = "".join(f"{' ' * i}a:\n" for i in range(MAX_PARSER_DEPTH + 10))
    assert problems(block) == [
        f"brief.yaml:{MAX_PARSER_DEPTH}:{MAX_PARSER_DEPTH}: nested more than "
        f"{MAX_PARSER_DEPTH} levels deep"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file(text: str) -> None:
    assert problems(text) == ["brief.yaml:1:1: the file is empty"]


def test_tabs_are_a_syntax_error_with_a_position() -> None:
    (message,) = problems("title: x\nchallenges:\n\titems: []\n")
    assert message.startswith("brief.yaml:3:1: YAML syntax error:")
    assert "'\\t'" in message


def test_unclosed_quote_is_a_syntax_error_with_a_position() -> None:
    (message,) = problems('title: "open\nvolume: 1\n')
    assert message.startswith("brief.yaml:3:1: YAML syntax error:")
    assert "quoted scalar" in message


def test_merge_keys_are_rejected() -> None:
    text = "base: &b {title: x}\nother:\n  <<: *b\n  volume: 2\n"
    assert problems(text) == ["brief.yaml:3:3: other: merge keys (<<) are not supported in a brief"]


def test_custom_tags_are_rejected_each_in_place() -> None:
    text = "title: ok\nlogo: !!binary aGVsbG8=\nmeta: !foo bar\n"
    assert problems(text) == [
        "brief.yaml:2:7: logo: unsupported YAML tag tag:yaml.org,2002:binary",
        "brief.yaml:3:7: meta: unsupported YAML tag !foo",
    ]


def test_keys_must_be_plain_text() -> None:
    assert problems("? [a, b]\n: x\n") == ["brief.yaml:1:3: keys must be plain text"]


def test_a_huge_integer_is_a_clean_error() -> None:
    assert problems("volume: " + "9" * 5000 + "\n") == [
        "brief.yaml:1:9: volume: cannot read this value: the number is too long"
    ]


@pytest.mark.parametrize(
    ("escape", "named"),
    [
        ("\\x00", "the control character U+0000"),
        ("\\e", "the control character U+001B"),
        ("\\x7f", "the control character U+007F"),
        ("\\N", "the control character U+0085"),
        ("\\uFDD0", "the non-character U+FDD0"),
        ("\\U0001FFFE", "the non-character U+1FFFE"),
        ("\\uD800", "a lone surrogate U+D800 (half of a pair, not a character)"),
        ("\\uDE00\\uD83D", "a lone surrogate U+DE00 (half of a pair, not a character)"),
    ],
    ids=["nul", "escape", "delete", "next-line", "non-character", "astral-non-character",
         "lone-surrogate", "reversed-pair"],
)  # fmt: skip
def test_escapes_cannot_smuggle_in_what_is_not_text(escape: str, named: str) -> None:
    text = f'title: ok\nsubtitle: "Before {escape} after"\n'
    line, column = position_of(text, escape)
    assert problems(text) == [
        f"brief.yaml:{line}:{column}: subtitle: contains {named}, which a brief cannot hold"
    ]


def test_an_escaped_surrogate_pair_is_one_character() -> None:
    # YAML 1.2 is a superset of JSON, where this is how a character past U+FFFF is escaped.
    assert parse_yaml('title: "\\uD83D\\uDE00"\n', PATH).data == {"title": "\U0001f600"}


def test_tab_newline_and_carriage_return_escapes_are_text() -> None:
    assert parse_yaml('title: "a\\tb\\nc\\rd"\n', PATH).data == {"title": "a\tb\nc\rd"}


def test_a_key_that_is_not_text_is_located() -> None:
    assert problems('title: x\n"ti\\u0000tle": y\n') == [
        "brief.yaml:2:4: contains the control character U+0000, which a brief cannot hold"
    ]


@pytest.mark.parametrize(
    ("character", "named"),
    [("\x00", "the control character U+0000"), ("\x1b", "the control character U+001B")],
)
def test_a_control_character_in_the_file_is_located(character: str, named: str) -> None:
    message = f"YAML does not allow {named} in a file"
    if character == "\x00":
        message += "; is it UTF-16? save the file as UTF-8"
    assert problems(f"title: x\nsubtitle: a{character}b\n") == [f"brief.yaml:2:12: {message}"]


@pytest.mark.parametrize("escape", ["\\U00110000", "\\UFFFFFFFF"])
def test_an_escape_past_the_last_code_point_is_located(escape: str) -> None:
    (message,) = problems(f'title: x\nsubtitle: "{escape}"\n')
    assert message.startswith("brief.yaml:2:")
    assert ": YAML error: " in message


@pytest.mark.parametrize("version", ["1.1", "1.3", "1.0"])
def test_only_yaml_1_2_is_read(version: str) -> None:
    # %YAML 1.1 would make `title: NO` a boolean; 1.3 and 1.0 used to crash the parser.
    assert problems(f"%YAML {version}\n---\ntitle: NO\n") == [
        f"brief.yaml:1:1: YAML syntax error: a brief is read as YAML 1.2, not {version}; "
        "remove the %YAML line"
    ]


def test_a_yaml_1_2_directive_is_fine() -> None:
    assert parse_yaml("%YAML 1.2\n---\ntitle: NO\n", PATH).data == {"title": "NO"}


def test_a_redefined_anchor_is_fine_and_silent(recwarn: pytest.WarningsRecorder) -> None:
    document = parse_yaml("a: &x 1\nb: &x 2\nc: *x\n", PATH)
    assert document.data == {"a": 1, "b": 2, "c": 2}
    assert not recwarn.list


def test_lone_carriage_returns_count_as_line_breaks() -> None:
    # As they do for the parser, so that every position in a message agrees with it.
    text = "title: x\rvolume: [1\rissue: 2\r"
    (message,) = problems(text)
    assert message.startswith("brief.yaml:3:")
    document = parse_yaml("title: x\rbackground: a [@y]\r", PATH)
    assert document.locate(("background",), document.data["background"].index("[@y]")) == (2, 15)


# --- files ------------------------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert file_problems(path) == [f"{path}: no such file"]


def test_a_folder_given_as_a_file(tmp_path: Path) -> None:
    assert file_problems(tmp_path) == [f"{tmp_path}: is a folder, not a brief file"]


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"title: ok\nauthor: Jos\xe9 Ortega\n")
    assert file_problems(path) == [
        f"{path}:2:12: not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_non_utf8_bytes_after_a_bom_are_located_without_it(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfti\xfftle: x\n")
    assert file_problems(path) == [
        f"{path}:1:3: not valid UTF-8 (byte 0xff); save the file as UTF-8"
    ]


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")],
)
def test_a_utf16_or_utf32_file_is_named(tmp_path: Path, encoding: str, name: str) -> None:
    path = tmp_path / "wide.yaml"
    # utf-16 and utf-32 write their byte order mark themselves; utf-16-be needs one added.
    bom = "\ufeff" if encoding == "utf-16-be" else ""
    path.write_bytes((bom + "title: x\n").encode(encoding))
    assert file_problems(path) == [
        f"{path}:1:1: the file is {name} (it starts with a byte order mark); save it as UTF-8"
    ]


def test_a_utf16_file_without_a_bom_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_bytes("title: x\n".encode("utf-16-le"))
    assert file_problems(path) == [
        f"{path}:1:2: YAML does not allow the control character U+0000 in a file; "
        "is it UTF-16? save the file as UTF-8"
    ]


def test_non_utf8_column_counts_characters(tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_bytes("title: روابط ".encode() + b"\xff\n")
    (message,) = file_problems(path)
    assert message.startswith(f"{path}:1:{len('title: روابط ') + 1}:")


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"title: x\n" + b"#" * MAX_FILE_BYTES)
    assert file_problems(path) == [f"{path}: file is larger than 2 MiB; a brief never is"]


def test_a_fifo_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "brief.yaml"
    os.mkfifo(path)

    # A writer, so that a reader that blocks on the FIFO gets a brief and fails this test
    # instead of hanging it; once the check is done, a reader of ours releases the writer.
    def write() -> None:
        # Our check opens and closes the FIFO at once: the writer may find no reader left.
        with contextlib.suppress(BrokenPipeError):
            path.write_text("title: x\n", encoding="utf-8")

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        assert file_problems(path) == [f"{path}: is not a regular file (a FIFO or a device?)"]
    finally:
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        writer.join()
        os.close(reader)


def test_a_device_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "brief.yaml"
    path.symlink_to("/dev/zero")
    assert file_problems(path) == [f"{path}: is not a regular file (a FIFO or a device?)"]


def test_a_file_at_the_size_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "full.yaml"
    head = b"title: x\n"
    path.write_bytes(head + b"#" * (MAX_FILE_BYTES - len(head)))
    assert load_yaml(path).data == {"title": "x"}


# --- hostile input under the size cap: bounded work, a short list of short lines ----------------


def _hostile_inputs() -> ModuleType:
    """bench/hostile_inputs.py, whose shapes the benchmark times and these tests bound."""
    root = Path(__file__).resolve().parents[1]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module("bench.hostile_inputs")


#: One shape for each mechanism that bounds the work: the composer's node count (a flow sequence
#: of a million items; duplicate keys), the scanner's name limit (tags are decoded in quadratic
#: time, an alias was quoted whole in the message), the scanner's flow depth (a line of "[[[["
#: goes quadratic in its look-ahead), the line cap (ruamel's cost per line break), and
#: validation's caps (did-you-mean for thousands of unknown
#: fields and sources; a 2 MiB Markdown field the parser would take minutes over).
BOUNDED_SHAPES = [
    "duplicate keys", "flow sequence of 1M items", "one long tag", "one long alias",
    "deeply nested flow", "many blank lines", "many unknown fields", "many unknown citations",
    "many sources, chronology citing none",
]  # fmt: skip


@pytest.mark.parametrize("shape", BOUNDED_SHAPES)
def test_a_hostile_brief_under_the_size_cap_is_refused_in_bounded_time(
    tmp_path: Path, shape: str
) -> None:
    # In a child with 20 s of CPU (it needs about one; the base took 10 s to two minutes) and
    # 1 GiB of address space: a child stopped by either fails the test with its exit status.
    bench = _hostile_inputs()
    path = bench.write_shape(shape, tmp_path)
    got = bench.measure(path, timeout=300, cpu_limit=20, memory_limit=1 << 30)
    assert "stopped" not in got, got
    # A screenful of problems at most, each a line a terminal can show, values cut short.
    assert 1 <= got["lines"] <= MAX_PROBLEMS + 1, got
    assert got["longest"] <= len(str(path)) + 250, got


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_lines_are_capped_before_parsing(line_break: str) -> None:
    # ruamel takes microseconds over each line break: 2 MiB of blank lines took seconds.
    assert parse_yaml("a: x" + line_break * (MAX_LINES - 1), PATH).data == {"a": "x"}
    message = f"the file has more than {MAX_LINES} lines; a brief never does"
    assert problems("a: x" + line_break * MAX_LINES) == [f"brief.yaml:{MAX_LINES + 1}:1: {message}"]


def test_the_composer_stops_at_the_node_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Counted while composing, not after: a million items cost MAX_NODES nodes, not a million.
    import ruamel.yaml.composer

    built = 0

    class Counted(ruamel.yaml.composer.ScalarNode):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            nonlocal built
            built += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ruamel.yaml.composer, "ScalarNode", Counted)
    text = "[" + "1, " * 1_000_000 + "1]\n"
    (message,) = problems(text)
    assert message.endswith(f"document expands to more than {MAX_NODES} nodes (too many aliases?)")
    assert built <= MAX_NODES


def test_an_alias_counts_as_what_it_stands_for_while_composing() -> None:
    text = "a: &a [" + ", ".join(["x"] * 999) + "]\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    (message,) = problems(text)
    # At the alias that passes the limit: 1 003 nodes before b's list, 1 000 for each alias.
    assert message.startswith(f"brief.yaml:2:{5 + 4 * 8}: document expands to more than")


def test_an_alias_inside_the_node_it_names_is_refused() -> None:
    # A loop: the walk that builds the data would expand it forever.
    assert problems("a: &a [1, *a]\n") == [
        "brief.yaml:1:11: YAML syntax error: an alias inside the node it names (a loop)"
    ]


def test_problems_past_the_cap_are_counted_in_one_line() -> None:
    text = "".join("a: 1\n" for _ in range(MAX_PROBLEMS + 151))
    with pytest.raises(BriefErrors) as caught:
        parse_yaml(text, PATH)
    lines = [e.located for e in caught.value.errors]
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[0] == "brief.yaml:2:1: a: duplicate key (first given at line 1)"
    assert lines[MAX_PROBLEMS - 1].startswith(f"brief.yaml:{MAX_PROBLEMS + 1}:1: a: duplicate")
    assert lines[-1] == "brief.yaml: … and 150 more problems"
    assert caught.value.count == MAX_PROBLEMS + 150


def test_capped_lists_merge_by_adding_their_counts() -> None:
    other = Path("series.yaml")
    groups = [
        BriefErrors(Diagnostic(p, i + 1, 1, "", "yaml", "x") for i in range(MAX_PROBLEMS + n))
        for p, n in ((PATH, 3), (other, 1), (PATH, 4))
    ]
    merged = merge(groups)
    assert [e.located for e in merged.errors if isinstance(e, MoreProblems)] == [
        "brief.yaml: … and 57 more problems",  # 3 + 4 counted, and the second list's first 50
        "series.yaml: … and 1 more problem",
    ]
    assert merged.count == 3 * MAX_PROBLEMS + 8
    assert len(merged.errors) == 2 * (MAX_PROBLEMS + 1)


@pytest.mark.parametrize(
    ("text", "what"),
    [("a: !{name} x\n", "a tag"), ("a: &{name} x\n", "an anchor"), ("a: *{name}\n", "an alias"),
     ("%{name}\n---\na: x\n", "a directive")],
)  # fmt: skip
def test_names_past_the_scanner_limit_are_refused(text: str, what: str) -> None:
    # ruamel decodes a tag in quadratic time: two minutes for one of 2 MB.
    name = "n" * (MAX_NAME + 1)
    (message,) = problems(text.format(name=name))
    column = text.index("{")  # 1-based, of the indicator before the name
    assert message == (
        f"brief.yaml:1:{column}: YAML syntax error: {what} longer than {MAX_NAME} characters; "
        "a brief needs none this long"
    )
    # One character less is read as before (and cut short wherever a message shows it).
    for message in problems(text.format(name=name[:-1]) + "b: *nope\n"):
        assert "longer than" not in message
        assert len(message) < 300, message


def test_an_alias_list_without_spaces_is_not_a_long_name() -> None:
    text = "a: &a 1\nb: [" + ",".join(["*a"] * 2000) + "]\n"
    assert parse_yaml(text, PATH).data["b"] == [1] * 2000


def test_input_quoted_in_a_parser_message_is_cut_short() -> None:
    (message,) = problems("a: *" + "n" * MAX_NAME + "\n")
    assert message == (
        f"brief.yaml:1:4: YAML syntax error: found undefined alias '{'n' * QUOTE_LIMIT}…'"
    )


def test_an_unsupported_tag_is_cut_short_in_its_message() -> None:
    (message,) = problems("a: !" + "t" * MAX_NAME + " x\n")
    assert message == f"brief.yaml:1:4: a: unsupported YAML tag !{'t' * (QUOTE_LIMIT - 1)}…"


_reader_text = st.lists(
    st.sampled_from(["a", " ", "\n", "\r", "\r\n", "\ufeff", "é", "\u2028", "\x85", "xyz"]),
    max_size=80,
).map("".join)


@settings(max_examples=200)
@given(text=_reader_text, steps=st.lists(st.integers(1, 40), max_size=20))
def test_the_reader_counts_lines_and_columns_as_ruamel_does(text: str, steps: list[int]) -> None:
    # It moves forward over a run of characters at once; every position must stay ruamel's.
    ours, theirs = _Reader(text), Reader(text)
    for step in steps:
        if ours.pointer + step >= len(ours.buffer):
            break
        ours.forward(step)
        theirs.forward(step)
        assert (ours.index, ours.line, ours.column) == (theirs.index, theirs.line, theirs.column)
