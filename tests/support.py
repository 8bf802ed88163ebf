"""Helpers several test modules share (not tests; pytest puts this folder on the path).

A test module imports from here, never from another test module.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from osintkit.cli import app
from osintkit.errors import BriefErrors
from osintkit.models import Brief
from osintkit.validation import load_brief


def at(text: str, needle: str, start: int = 0) -> str:
    """``line:col`` (1-based) of the first ``needle`` in ``text`` from ``start``, by hand."""
    index = text.index(needle, start)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{column}"


def tiny_brief(**extra: Any) -> Brief:
    """The smallest valid brief as a model (no file, no registry), with ``extra`` fields."""
    data: dict[str, Any] = {
        "series": "s",
        "volume": 1,
        "issue": 1,
        "title": "T",
        "date": "2025-01-01",
        "authors": ["A"],
        "executive_summary": "Summary.",
        "background": "Background.",
        "geopolitical_context": "Context.",
        "challenges": {"items": [{"label": "L", "text": "Item."}]},
    }
    data.update(extra)
    return Brief.model_validate(data)


def without_evidence(text: str) -> str:
    """The reference brief's ``text`` without its capture and its chain of custody (issue
    17): a brief that preserved nothing, or one a test gives captures of its own."""
    text = re.sub(r"(?m)^    # The page's text as seeds/000.*\n(?:    #.*\n)*", "", text)
    text = re.sub(r"(?m)^    captures:\n(?:      .*\n)+", "", text)
    return re.sub(r"(?m)^custody:\n(?:  .*\n)+", "", text)


def problems(path: Path) -> list[str]:
    """The problems ``load_brief`` raises for ``path``, as ``path:line:col: field: message``."""
    with pytest.raises(BriefErrors) as caught:
        load_brief(path)
    return [e.located for e in caught.value.errors]


def require(missing: list[str]) -> None:
    """Skip the test if a tool is missing, or fail it under CI, where setup installs them all."""
    if not missing:
        return
    reason = f"{', '.join(missing)} missing: run `bash scripts/setup.sh --dev`"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``osintkit *args`` in-process: its exit code, standard output and standard error."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


# A 1.4 KB SVG whose <use> elements multiply to 4^11 rectangles.
SVG_BOMB = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="100" height="100"><defs><g id="a0"><rect width="1" height="1"/></g>'
    + "".join(
        f'<g id="a{i}">' + f'<use xlink:href="#a{i - 1}"/>' * 4 + "</g>" for i in range(1, 12)
    )
    + '</defs><use xlink:href="#a11"/></svg>'
)


def stix_findings(data: bytes) -> list[str]:
    """Every error and warning stix2-validator gives a STIX bundle, but its UUIDv4 check
    ({103}): an export's ids are UUID version 5 by design (deterministic, as OpenCTI's own
    standard ids are), which STIX 2.1 allows for SDOs as a SHOULD, not a MUST."""
    from stix2validator import ValidationOptions, validate_string

    result = validate_string(data.decode("utf-8"), ValidationOptions(disabled=["103"]))
    return [str(e) for e in result.errors] + [str(w) for w in result.warnings]
