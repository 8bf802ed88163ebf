"""A folder of briefs as one catalogue: numbers given twice are errors naming both files,
holes in a volume's numbering are warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

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
