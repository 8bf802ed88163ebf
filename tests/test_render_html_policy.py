"""The Content-Security-Policy every HTML report carries, whatever its template writes."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import tinyhtml5

from osintkit.render.html import POLICY_META, REPORT_POLICY, with_policy
from osintkit.report import render_brief
from osintkit.templates import find_template
from osintkit.validation import load_brief
from support import require

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "briefs" / "persian-files-29-2.yaml"

#: Elements that can run or load something, which the policy must precede.
_ACTIVE = {"script", "style", "link", "img", "iframe", "object", "embed", "base", "svg"}

#: Template openings a hostile or careless author might write, each with a script that must
#: come after the policy. The tricks: a comment a browser closes at once ("<!-->"), a quote in
#: an attribute name, a ">" in a single-quoted value, no head, markup before the head.
HOSTILE_OPENINGS = [
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<script>x()</script>',
    "<!--><script>x()</script>--><html><head>",
    "<!DOCTYPE html><!--->  <script>x()</script> --><html><head>",
    '<html x"><script>x()</script><p y=">',
    "<!DOCTYPE html><html data-x='>'><script>x()</script><head>",
    "<!DOCTYPE html><script>x()</script><html><head>",
    "<HTML LANG=en><HEAD><SCRIPT>x()</SCRIPT>",
    "<!doctype html><html><body><script>x()</script>",
    "\ufeff<script>x()</script>",
    "<!DOCTYPE html><html><head><base href='https://evil.example/'><script>x()</script>",
]


def _policy_first(html: str) -> None:
    """Assert that the policy is in the head and before every active element, as parsed."""
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    order = [element for element in root.iter() if isinstance(element.tag, str)]
    policies = [
        e
        for e in order
        if e.tag == "meta" and (e.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(policies) == 1
    head = root.find("head")
    assert head is not None and policies[0] in list(head)
    first = order.index(policies[0])
    assert all(order.index(e) > first for e in order if e.tag in _ACTIVE)
    assert policies[0].get("content") == REPORT_POLICY


@pytest.mark.parametrize("opening", HOSTILE_OPENINGS)
def test_the_policy_precedes_whatever_a_template_writes_first(opening: str) -> None:
    _policy_first(with_policy(opening + "<p>report</p></body></html>"))


def test_the_shipped_template_gets_it_as_the_first_element_of_its_head() -> None:
    rendered = render_brief(load_brief(REFERENCE), formats=("html",))
    html = rendered.html
    _policy_first(html)
    head = html[html.index("<head>") :]
    assert head.startswith(f"<head>\n{POLICY_META}\n")


def test_the_policy_runs_no_script_and_loads_only_inline_styles_and_data_urls() -> None:
    """What SECURITY.md promises, read from the report: `default-src 'none'`, inline styles,
    `data:` images and fonts, and nothing else (no script, no host, no base, no form)."""
    html = render_brief(load_brief(REFERENCE), formats=("html",)).html
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    [content] = [
        e.get("content")
        for e in root.iter("meta")
        if (e.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    directives = {
        name: values
        for name, *values in (part.split() for part in content.split(";") if part.strip())
    }
    assert directives == {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:"],
        "font-src": ["data:"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }


def _booby_trapped_template(tmp_path: Path) -> Path:
    template = tmp_path / "trap"
    shutil.copytree(ROOT / "report_templates" / "series", template)
    page = template / "report.html.j2"
    page.write_text(
        page.read_text(encoding="utf-8")
        .replace("<!DOCTYPE html>", "<!DOCTYPE html><!--><script>document.title='ran';</script>-->")
        .replace(
            "</body>",
            "<script>document.body.setAttribute('data-pwned', 'yes')</script>\n"
            '<img src="https://tracker.example/pixel.png" alt="">\n</body>',
        ),
        encoding="utf-8",
    )
    return template


@pytest.mark.validity
def test_a_booby_trapped_template_s_script_does_not_run_in_a_browser(tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    require([] if chromium else ["chromium"])
    assert chromium
    template = find_template(str(_booby_trapped_template(tmp_path)))
    rendered = render_brief(load_brief(REFERENCE), formats=("html",), template=template)
    page = tmp_path / "report.html"
    page.write_text(rendered.html, encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=True,
        ).stdout  # fmt: skip
    assert 'class="report"' in dom  # the page did load
    assert 'data-pwned="yes"' not in dom
    assert "<title>ran</title>" not in dom
