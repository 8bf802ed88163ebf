"""Diagnostics as the tools that read them expect: a line for people, JSON lines for scripts,
a SARIF 2.1.0 document for code-scanning UIs, workflow commands for GitHub's annotations.

The one formatter of every :class:`~osintkit.errors.Diagnostic` osintkit prints (``validate``,
``lint``, ``build``); the CLI picks one. A new output format is one function here and one
entry in :data:`FORMATTERS`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from osintkit.errors import Diagnostic, MoreProblems

#: What each rule of validation (and of a build's failures) checks; lint's are lint.RULES.
RULES: dict[str, str] = {
    "file": "a brief file that cannot be read as text",
    "yaml": "YAML that cannot be parsed, or that a brief may not use",
    "text": "characters a brief's text may not hold",
    "schema": "a field missing, unknown or of the wrong type",
    "registry": "a series registry missing, invalid or without the brief's series",
    "citation": "a citation or chronology entry naming no source",
    "source": "a source id given twice",
    "markdown": "Markdown the report would lose",
    "figure": "an image a brief shows that cannot be used",
    "table": "a table caption the report cannot print as written",
    "crossref": "a cross-reference to no figure, table, section or annex, or an id given twice",
    "tlp": "a portion marked above the brief's TLP, or citing or referring to something "
    "released only above its own level; a cross-reference an edition removed",
    "footnote": "a footnote called but not defined, defined but not called, or in another",
    "likelihood": "a judgement's likelihood outside the series' yardstick",
    "date": "a date its calendar cannot write",
    "evidence": "a capture missing, outside the brief's folder, changed since it was hashed "
    "or made after the brief's date; a chain of custody out of order or naming no capture",
    "numbering": "two briefs with one number, or a hole in a volume's numbering",
    "template": "a report template missing or broken",
    "render": "a report that failed to render",
    "output": "an output file or folder that could not be written",
    "build": "a brief that could not be built",
    "folders": "a public and a restricted folder that are one, or one inside the other",
    "lock": "an output folder another build holds, or that cannot be locked",
    "manifest": "a build manifest that cannot be used, so every brief is built again",
    "kept": "a brief that failed, whose last good build stays published",
    "withdrawn": "a recorded brief whose file is gone, taken out of the site with its files",
    "leak": "an edition whose files hold text of a portion the edition removed: the brief "
    "is not built",
}

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def shown_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` relative to the working folder when it is under it, else as given."""
    if path.is_absolute():
        base = cwd if cwd is not None else Path.cwd()
        try:
            return os.fspath(path.relative_to(base))
        except ValueError:
            return os.fspath(path)
    return os.fspath(path)


def _count(diagnostic: Diagnostic) -> int:
    return diagnostic.count if isinstance(diagnostic, MoreProblems) else 1


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """``3 errors, 1 warning in 2 files`` (of ``files`` checked), counting those a list left
    out too."""
    errors = sum(_count(d) for d in diagnostics if d.severity == "error")
    warnings = sum(_count(d) for d in diagnostics if d.severity == "warning")
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} file{'s' * (files != 1)}"
    )


def text_line(diagnostic: Diagnostic, cwd: Path | None = None) -> str:
    """``path:line:col: error: field: message [rule]``, as compilers and linters print.

    Not yet printable: the CLI's console escapes whatever it prints.
    """
    d = diagnostic
    where = shown_path(d.path, cwd)
    if d.line:
        where += f":{d.line}:{d.column}"
    rule = f" [{d.rule}]" if d.rule else ""
    return f"{where}: {d.severity}: {d.text}{rule}"


def format_text(
    diagnostics: Iterable[Diagnostic], rules: Mapping[str, str], cwd: Path | None = None
) -> Iterable[str]:
    """One line a diagnostic."""
    return (text_line(d, cwd) for d in diagnostics)


def format_json(
    diagnostics: Iterable[Diagnostic], rules: Mapping[str, str], cwd: Path | None = None
) -> Iterable[str]:
    """JSON lines: one object a diagnostic, ASCII only (so no terminal escaping can alter it)."""
    for d in diagnostics:
        record = {
            "path": shown_path(d.path, cwd),
            "line": d.line,
            "column": d.column,
            "field": d.field,
            "rule": d.rule,
            "severity": d.severity,
            "message": d.message,
        }
        yield json.dumps(record, ensure_ascii=True)


def format_sarif(
    diagnostics: Iterable[Diagnostic], rules: Mapping[str, str], cwd: Path | None = None
) -> Iterable[str]:
    """One SARIF 2.1.0 document with one run: the rules used and a result per diagnostic.

    Lines of one JSON document, not JSON lines.
    """
    from osintkit import __version__

    found = list(diagnostics)
    used = sorted({d.rule for d in found if d.rule})
    index = {rule: i for i, rule in enumerate(used)}
    results = []
    for d in found:
        location: dict[str, object] = {
            "artifactLocation": {"uri": _uri(d.path, cwd)},
        }
        if d.line:
            location["region"] = {"startLine": d.line, "startColumn": max(d.column, 1)}
        result: dict[str, object] = {
            "level": d.severity,
            "message": {"text": d.text},
            "locations": [{"physicalLocation": location}],
        }
        if d.rule:
            result = {"ruleId": d.rule, "ruleIndex": index[d.rule], **result}
        results.append(result)
    driver = {
        "name": "osintkit",
        "version": __version__,
        "rules": [
            {"id": rule, "shortDescription": {"text": rules.get(rule, rule)}} for rule in used
        ],
    }
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    # Line by line: the CLI prints (and escapes) each line on its own.
    yield from json.dumps(document, ensure_ascii=True, indent=2).splitlines()


def _uri(path: Path, cwd: Path | None) -> str:
    """A relative URI under the working folder; a file: URI for a path outside it."""
    shown = Path(shown_path(path, cwd))
    if shown.is_absolute():
        return shown.as_uri()
    return quote(shown.as_posix())


def format_github(
    diagnostics: Iterable[Diagnostic], rules: Mapping[str, str], cwd: Path | None = None
) -> Iterable[str]:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=rule::message``."""
    for d in diagnostics:
        properties = [f"file={_property(shown_path(d.path, cwd))}"]
        if d.line:
            properties += [f"line={d.line}", f"col={d.column}"]
        if d.rule:
            properties.append(f"title={_property(d.rule)}")
        yield f"::{d.severity} {','.join(properties)}::{_data(d.text)}"


def _data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A workflow command's property value: its message escapes, and ``:`` and ``,`` too."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


Formatter = Callable[[Iterable[Diagnostic], Mapping[str, str], "Path | None"], Iterable[str]]

#: Each ``--format`` by name.
FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
}
