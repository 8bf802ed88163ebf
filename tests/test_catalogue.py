"""A folder of briefs as one catalogue: numbers given twice are errors naming both files,
holes in a volume's numbering are warnings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from osintkit.catalogue import numbering_gaps
from support import invoke


def test_validate_catches_a_number_given_twice_and_warns_of_a_gap(series_dir: Path) -> None:
    twin = series_dir / "twin.yaml"
    shutil.copy(series_dir / "persian-files-29-2.yaml", twin)
    later = series_dir / "later.yaml"
    text = (series_dir / "persian-files-29-2.yaml").read_text(encoding="utf-8")
    later.write_text(text.replace("issue: 2", "issue: 5"), encoding="utf-8")
    code, _, stderr = invoke("validate", str(series_dir))
    assert code == 1
    lines = stderr.splitlines()
    original = series_dir / "persian-files-29-2.yaml"
    line = original.read_text(encoding="utf-8").splitlines().index("issue: 2") + 1
    message = "issue: persian-files volume 29 issue 2 is also the number of"
    assert f"{twin}:{line}:1: error: {message} {original} [numbering]" in lines
    assert f"{original}:{line}:1: error: {message} {twin} [numbering]" in lines
    assert any("persian-files volume 29: no brief for issues 3, 4" in line for line in lines)


def test_a_gap_is_a_warning_at_the_brief_after_it_in_every_format(series_dir: Path) -> None:
    original = series_dir / "persian-files-29-2.yaml"
    later = series_dir / "later.yaml"
    later.write_text(original.read_text(encoding="utf-8").replace("issue: 2", "issue: 4"))
    line = later.read_text(encoding="utf-8").splitlines().index("issue: 4") + 1
    code, stdout, _ = invoke("validate", str(series_dir), "--format", "json")
    assert code == 0  # a warning fails nothing
    (record,) = [json.loads(text) for text in stdout.splitlines()]
    assert record == {
        "path": str(later), "line": line, "column": 1, "field": "issue", "rule": "numbering",
        "severity": "warning", "message": "persian-files volume 29: no brief for issue 3",
    }  # fmt: skip
    code, stdout, _ = invoke("validate", str(series_dir), "--format", "github")
    assert stdout.splitlines() == [
        f"::warning file={later},line={line},col=1,title=numbering::issue: persian-files "
        "volume 29: no brief for issue 3"
    ]


def test_gaps_are_listed_as_ranges_however_far_apart_the_numbers() -> None:
    numbers = {
        Path("a.yaml"): ("s", 1, 1),
        Path("b.yaml"): ("s", 1, 3),
        Path("c.yaml"): ("s", 1, 10**12),  # from a build manifest, which no schema capped
    }
    (gap,) = numbering_gaps(numbers)
    assert (gap.path, gap.severity, gap.message) == (
        Path("b.yaml"),
        "warning",
        f"s volume 1: no brief for issues 2, 4–{10**12 - 1}",
    )
