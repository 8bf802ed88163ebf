"""The HTML report is valid HTML (the Nu Html Checker) and accessible (axe-core in Chromium).

The two reference briefs (English; Persian, right to left) and a hostile one are rendered
with the CLI, then every file goes through vnu and through axe-core in headless Chromium. The
tools come from ``tests/validity/`` (installed by ``scripts/setup.sh --dev``) and the
machine's Java and Chromium. Without them the tests skip and say what is missing, except under
CI, where a missing tool is a failure: a skip there would hide a broken set-up.

A fault that another module must fix is listed as a :class:`Gap` of the cases it affects: the
test then expects it (xfail) instead of failing, still fails on anything else, and fails once
the gap is gone so that its entry gets removed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from osintkit.cli import app
from support import require

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TOOLS = ROOT / "tests" / "validity"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_SCRIPT = TOOLS / "axe.mjs"

pytestmark = pytest.mark.validity


@dataclass(frozen=True)
class Gap:
    """A known fault of the HTML that the named module has to fix."""

    fix: str
    vnu: str | None = None  # a regex searched in the vnu error messages it causes
    axe: str | None = None  # a regex matching the id of the axe rule it breaks


def _draft_with_tradecraft() -> str:
    """minimal.yaml as a TLP:AMBER draft with key judgements, a chronology and grades."""
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    language: fa\n", "    language: fa\n    reliability: C\n    credibility: 3\n"
    )
    return text + (
        "status: draft\ntlp: AMBER\n"
        "key_judgements:\n"
        "  - {text: Minsk will buy more Iranian drones., likelihood: likely, confidence: low}\n"
        "timeline:\n"
        "  - {date: 1993, event: Relations established., source: mfa}\n"
        "  - {date: 2025-01, event: Talks in Minsk.}\n"
    )


def _hostile_markdown() -> str:
    """minimal.yaml with Markdown that tries everything: raw HTML, tables, lists, code, links."""
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    summary = """\
executive_summary: |
  A <script>alert(1)</script> summary with <b onclick="x()">raw HTML</b>, <!-- a comment -->
  entities &amp; &#0; &nbsp; and citations [@mfa, p. 4] inside *emphasis [@mfa]*.

  <div class="evil" id="executive-summary">a block of raw HTML reusing a section's id</div>

  | Country | Partner [@mfa] | Share |
  | :------ | :------------: | ----: |
  | Belarus | Iran           | 12 %  |
  | Iran    | `Belarus`      |       |
"""
    background = """\
background: |
  # A level-one heading
  ### A level-three heading, skipping one

  ###### The deepest heading

  #

  1. first
  2. second
     - nested [@mfa; @mfa]
     - nested *two*

       with a second paragraph
  3. third

  5. a list that starts at five

  - [a link](https://example.org/a "a title") and [another](http://example.org/b)
  - <https://example.org/autolink> and <mailto:info@example.org>
  - [javascript](javascript:alert(1)) and [data](data:text/html,<script>alert(1)</script>)
  - [a link with a citation [@mfa] inside](https://example.org/c)
  - ![a chart](http://127.0.0.1:9/chart.png) and ![](http://127.0.0.1:9/rule.png)
  -

  > A quotation
  > > nested, with `code` and ~~struck~~ text

  ```python
  print("<b>not bold</b>")
  ```

      indented code </pre> </style>

  ---

  <table><tr><td>a raw table</td></tr></table>
  <img src=x onerror=alert(1)>
  <a href="#ref-mfa" id="cite-1">a forged citation anchor</a>
"""
    text = re.sub(r"(?ms)^executive_summary: \|\n.*?\n\n", lambda _: summary + "\n", text)
    text = re.sub(r"(?ms)^background: \|\n.*?\n\n", lambda _: background + "\n", text)
    text = re.sub(
        r"(?m)^title: .*$", lambda _: r'title: "<script>alert(1)</script> </style> & \"q\""', text
    )
    text = text.replace("authors: [", 'authors: ["<b>Mallory</b>", ')
    text = text.replace('label: "Sanctions"', 'label: "<i>Sanctions</i> & co"')
    text = text.replace(
        "text: Both nations face extensive sanctions.",
        'text: "Both face *sanctions* [@mfa], `<code>` and [a link](https://example.org)."',
    )
    return text.replace("contact_topic: Iran-Belarus relations", 'contact_topic: "</style><x>"')


@dataclass(frozen=True)
class Case:
    """A brief to render: a reference brief, or fixture text written beside series.yaml."""

    name: str
    brief: Path | None = None
    text: str | None = None
    gaps: tuple[Gap, ...] = ()


CASES = [
    Case("persian-files-29-2", brief=ROOT / "briefs" / "persian-files-29-2.yaml"),
    Case("persian-files-fa-sample", brief=ROOT / "briefs" / "persian-files-fa-sample.yaml"),
    Case("hostile-markdown", text=_hostile_markdown()),
    Case("draft-with-tradecraft", text=_draft_with_tradecraft()),
    # Contents, extra sections, annexes, authors with roles, a bottom line, a disclaimer.
    Case("structure", text=(FIXTURES / "structure.yaml").read_text(encoding="utf-8")),
    # Figures, a captioned table, cross-references and footnotes with their list of notes.
    Case("document-model", brief=FIXTURES / "document-model" / "document-model.yaml"),
    # The longer sample: ten pages of figures, tables, footnotes, Persian excerpts (issue 14).
    Case("persian-files-long-sample", brief=ROOT / "briefs" / "persian-files-long-sample.yaml"),
    # Excerpts by script, a Persian <cite>, citations with locators and two sources a bracket.
    Case("scripts", text=(FIXTURES / "scripts.yaml").read_text(encoding="utf-8")),
    # The evidence register (issue 17): captures, an archive link, custody, portion marks.
    Case("evidence", brief=FIXTURES / "evidence" / "evidence.yaml"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Render every case to HTML with the CLI; return the HTML file of each case by name."""
    folder = tmp_path_factory.mktemp("validity")
    shutil.copy(FIXTURES / "series.yaml", folder / "series.yaml")
    briefs = []
    for case in CASES:
        if case.brief is None:
            brief = folder / f"{case.name}.yaml"
            brief.write_text(case.text or "", encoding="utf-8")
            briefs.append(brief)
        else:
            briefs.append(case.brief)
    out = folder / "out"
    result = CliRunner().invoke(app, ["render", *map(str, briefs), "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    files = {case.name: out / f"{case.name}.html" for case in CASES}
    assert all(path.is_file() for path in files.values()), result.output
    return files


@pytest.fixture(scope="module")
def vnu_errors(rendered: dict[str, Path]) -> dict[str, list[tuple[str, str]]]:
    """Run the Nu Html Checker once over every file; return (where: message, message) pairs."""
    java = shutil.which("java")
    require([n for n, ok in (("java", java), (str(VNU_JAR), VNU_JAR.is_file())) if not ok])
    assert java
    # vnu.jar straight from the package: its Node wrapper would download a Java if none is found.
    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, rendered.values())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stdout)["messages"]
    by_file: dict[str, list[tuple[str, str]]] = {name: [] for name in rendered}
    names = {path.name: name for name, path in rendered.items()}
    for m in messages:
        if m["type"] not in ("error", "non-document-error"):
            continue
        name = names[Path(m.get("url", "")).name]
        where = f"line {m.get('lastLine', '?')}, column {m.get('firstColumn', m.get('lastColumn'))}"
        by_file[name].append((f"{where}: {m['message']}", m["message"]))
    return by_file


@pytest.fixture(scope="module")
def axe_violations(rendered: dict[str, Path]) -> dict[str, list[dict[str, Any]]]:
    """Run axe-core in headless Chromium once over every file; return violations by case."""
    node, chromium = shutil.which("node"), shutil.which("chromium")
    packages = TOOLS / "node_modules"
    needed = [packages / "axe-core" / "axe.min.js", packages / "playwright-core" / "package.json"]
    require(
        [n for n, ok in (("node", node), ("chromium", chromium)) if not ok]
        + [str(p) for p in needed if not p.is_file()]
    )
    assert node and chromium
    run = subprocess.run(
        [node, str(AXE_SCRIPT), chromium, *map(str, rendered.values())],
        cwd=TOOLS,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    return {name: results[str(path.resolve())] for name, path in rendered.items()}


def _judge(
    case: Case, problems: list[tuple[str, str]], pattern: Callable[[Gap], str | None]
) -> None:
    """Fail on a problem no gap explains, or on a gap that no longer occurs; xfail on gaps.

    ``problems`` are (what to show, what a gap's ``pattern`` is searched in) pairs.
    """
    gaps = [(gap, regex) for gap in case.gaps if (regex := pattern(gap))]
    unexplained = [shown for shown, key in problems if not any(re.search(r, key) for _, r in gaps)]
    if unexplained:
        pytest.fail(f"{case.name}: {len(unexplained)} problem(s):\n" + "\n".join(unexplained))
    gone = [gap.fix for gap, r in gaps if not any(re.search(r, key) for _, key in problems)]
    if gone:
        pytest.fail(f"{case.name}: fixed, so remove the Gap from its case: {gone}")
    if gaps:
        pytest.xfail("; ".join(gap.fix for gap, _ in gaps))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_html_passes_the_nu_html_checker(
    case: Case, vnu_errors: dict[str, list[tuple[str, str]]]
) -> None:
    _judge(case, vnu_errors[case.name], lambda gap: gap.vnu)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_html_has_no_axe_violations(
    case: Case, axe_violations: dict[str, list[dict[str, Any]]]
) -> None:
    problems = [
        (
            f"{v['id']} ({v['impact']}): {v['help']}\n"
            + "\n".join(
                f"    {n['target']}: {n['html'][:160]}\n      {' '.join(n['summary'].split())}"
                for n in v["nodes"]
            ),
            v["id"],
        )
        for v in axe_violations[case.name]
    ]
    _judge(case, problems, lambda gap: gap.axe)
