"""Hyphenation dictionaries read from osintkit's cache hyphenate exactly as pyphen's own parse,
and a cache file that is damaged or planted is never trusted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyphen
import pytest

from osintkit.render import hyphenation

ROOT = Path(__file__).resolve().parents[1]

# Words long enough to be hyphenated, for each dictionary tried; hu_HU has nonstandard
# hyphenations ("ssz" → "sz-sz"), which the cache must carry too.
WORDS = {
    "en_US": "internationalization characteristically incomprehensibilities hyphenation "
    "representational disinformation counterintelligence",
    "de_DE": "Donaudampfschifffahrtsgesellschaftskapitän Rechtsschutzversicherungsgesellschaften "
    "Bundesverfassungsgericht Nachrichtendienstkontrollgremium Informationsbeschaffung",
    "ru_RU": "достопримечательность высокопревосходительство человеконенавистничество "
    "государственный неудовлетворительный разведывательный интернационализация",
    "hu_HU": "legeslegmegszentségteleníthetetlenebbjeitekként összeesküvés asszonnyal "
    "megkülönböztethetetlenség hosszabbítás",
}


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> type:
    """pyphen's HyphDict with osintkit's cache in ``tmp_path`` (pyphen itself left as it was)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return hyphenation._cached_class(pyphen.HyphDict, pyphen.__version__, pyphen.DataInt)


def _shape(patterns: dict[str, Any]) -> dict[str, Any]:
    """Patterns with each nonstandard hyphenation spelled out (a DataInt equals its int)."""
    return {
        key: (start, [(int(v), getattr(v, "data", None)) for v in values])
        for key, (start, values) in patterns.items()
    }


def _cache_file(lang: str) -> Path:
    digest = hyphenation.hashlib.sha256(pyphen.LANGUAGES[lang].read_bytes()).hexdigest()
    return hyphenation.cache_path(pyphen.__version__, digest)


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_the_cache_gives_pyphens_own_patterns(cached: type, lang: str) -> None:
    path = pyphen.LANGUAGES[lang]
    parsed = pyphen.HyphDict(path)
    built = cached(path)  # parsed, and the cache written
    assert _cache_file(lang).is_file()
    read = cached(path)  # from the cache
    for hyph_dict in (built, read):
        assert _shape(hyph_dict.patterns) == _shape(parsed.patterns)
        assert hyph_dict.maxlen == parsed.maxlen
    for word in WORDS[lang].split():
        assert read.positions(word) == parsed.positions(word)
        assert [p.data for p in read.positions(word)] == [p.data for p in parsed.positions(word)]
    if lang == "hu_HU":  # the nonstandard hyphenations were there to compare
        assert any(p.data for word in WORDS[lang].split() for p in parsed.positions(word))


def _plant(lang: str, document: Any) -> None:
    path = _cache_file(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    path.write_bytes(raw)


def _valid_document(cached: type, lang: str) -> dict[str, Any]:
    cached(pyphen.LANGUAGES[lang])
    document: dict[str, Any] = json.loads(_cache_file(lang).read_bytes())
    return document


def _hostile(document: dict[str, Any]) -> list[Any]:
    """Cache files that are JSON but not what osintkit wrote, one way each."""
    first = document["values"][0]
    return [
        b"",
        b"\x80\x81 not json",
        b'{"format": 1, "pyphen": ',  # cut short, as a killed writer never leaves it
        [],
        {**document, "format": 2},
        {**document, "pyphen": "0.0.1"},
        {**document, "sha256": "0" * 64},
        {**document, "extra": 1},
        {**document, "keys": document["keys"][:-1]},
        {**document, "keys": [1, *document["keys"][1:]]},
        {**document, "keys": [document["keys"][0]] * len(document["keys"])},
        {**document, "refs": [len(document["values"]), *document["refs"][1:]]},
        {**document, "refs": [-1, *document["refs"][1:]]},
        {**document, "refs": [True, *document["refs"][1:]]},
        {**document, "values": [[first[0], 10], *document["values"][1:]]},
        {**document, "values": [[-1, *first[1:]], *document["values"][1:]]},
        {**document, "values": [[first[0], "1"], *document["values"][1:]]},
        {**document, "values": [[first[0], 0], *document["values"][1:]]},
        {**document, "values": [[first[0], 1.5], *document["values"][1:]]},
        {**document, "values": [[first[0], [1, "no equals sign", 0, 1]], *document["values"][1:]]},
        {**document, "values": [[1000, 1], *document["values"][1:]]},
        {**document, "values": [first[0], *document["values"][1:]]},
    ]


def test_a_damaged_or_planted_cache_is_ignored_and_rebuilt(cached: type) -> None:
    path = pyphen.LANGUAGES["en_US"]
    parsed = _shape(pyphen.HyphDict(path).patterns)
    document = _valid_document(cached, "en_US")
    for index, planted in enumerate(_hostile(document)):
        _plant("en_US", planted)
        assert _shape(cached(path).patterns) == parsed, index
        # … and the file is the right one again, so the next process reads it.
        assert json.loads(_cache_file("en_US").read_bytes()) == document, index


def test_a_cache_that_cannot_be_written_is_no_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    hyph_dict = hyphenation._cached_class(pyphen.HyphDict, pyphen.__version__, pyphen.DataInt)
    path = pyphen.LANGUAGES["en_US"]
    assert _shape(hyph_dict(path).patterns) == _shape(pyphen.HyphDict(path).patterns)


# Renders the reference brief in a fresh process (so its render child starts with this
# environment) and prints the PDF's SHA-256.
_RENDER = """
import hashlib, sys
from pathlib import Path
import osintkit
rendered = osintkit.render_brief(osintkit.load_brief(Path(sys.argv[1])), formats=("pdf",))
print(hashlib.sha256(rendered.pdf).hexdigest())
"""


def test_the_render_child_fills_the_cache_and_renders_the_same_bytes(tmp_path: Path) -> None:
    def render() -> str:
        done = subprocess.run(
            [sys.executable, "-c", _RENDER, str(ROOT / "briefs" / "persian-files-29-2.yaml")],
            capture_output=True, text=True, timeout=300, check=True,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)},
        )  # fmt: skip
        return done.stdout.split()[-1]

    first = render()
    cached = sorted((tmp_path / "osintkit" / "hyphenation").glob("*.json"))
    english = hyphenation.hashlib.sha256(pyphen.LANGUAGES["en"].read_bytes()).hexdigest()
    assert [p.name.split(".")[0] for p in cached] == [english]  # "en": pyphen takes en_GB
    assert render() == first  # read from the cache this time


def test_a_fifo_or_an_oversized_file_in_the_cache_is_not_read(
    cached: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = pyphen.LANGUAGES["en_US"]
    parsed = _shape(pyphen.HyphDict(path).patterns)
    cache_file = _cache_file("en_US")
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(cache_file)  # reading it would block until someone writes
    assert _shape(cached(path).patterns) == parsed
    assert cache_file.is_file()  # replaced by the real cache
    monkeypatch.setattr(hyphenation, "_MAX_BYTES", 1000)
    # The valid file is now "too large": parsed again, never read.
    monkeypatch.setattr(hyphenation, "_decode", lambda *args: pytest.fail("read"))
    assert _shape(cached(path).patterns) == parsed
