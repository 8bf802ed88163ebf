"""scripts/setup.sh installs what README says, run against stand-ins for apt and the venv (no
package is installed, nothing outside a temporary folder is touched)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="setup.sh is a bash script")


def _stub(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def _setup(tmp_path: Path, *args: str) -> tuple[int, list[str], str]:
    """Run a copy of setup.sh where no Debian package is installed; return its exit code, the
    packages it asked apt-get to install and its standard error."""
    checkout, stubs = tmp_path / "checkout", tmp_path / "bin"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", checkout / "scripts" / "setup.sh")
    (checkout / "requirements").mkdir()
    (checkout / ".venv" / "bin").mkdir(parents=True)
    _stub(checkout / ".venv" / "bin" / "python", "exit 0")
    stubs.mkdir()
    log = tmp_path / "apt.log"
    _stub(stubs / "dpkg-query", "exit 1")  # nothing installed
    _stub(stubs / "id", "echo 0")  # root: no sudo
    _stub(stubs / "python3", "exit 0")
    _stub(stubs / "apt-get", f'[ "$1" = install ] && echo "$@" >> {log}; exit 0')
    env = {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", str(checkout / "scripts" / "setup.sh"), *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    installed = log.read_text(encoding="utf-8").split() if log.exists() else []
    return done.returncode, installed, done.stderr


def test_the_fonts_for_latin_cyrillic_greek_arabic_and_hebrew_without_cjk(tmp_path: Path) -> None:
    code, installed, _ = _setup(tmp_path)
    assert code == 0
    assert {"fonts-noto-core", "poppler-utils", "libharfbuzz-subset0"} <= set(installed)
    assert "fonts-noto-cjk" not in installed


def test_cjk_adds_noto_cjk(tmp_path: Path) -> None:
    code, installed, _ = _setup(tmp_path, "--cjk")
    assert code == 0
    assert {"fonts-noto-core", "fonts-noto-cjk"} <= set(installed)


def test_an_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    code, installed, err = _setup(tmp_path, "--cjkk")
    assert (code, installed) == (2, [])
    assert "unknown option --cjkk" in err
