"""The console script: a Ctrl-C while the command line is still being imported."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

from osintkit import launch


class _InterruptingFinder:
    """Answers the import of the command line as a Ctrl-C pressed at that moment would."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name == "osintkit.cli":
            raise KeyboardInterrupt
        return None


def test_an_interrupt_while_importing_exits_130_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "osintkit.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_InterruptingFinder(), *sys.meta_path])
    with pytest.raises(SystemExit) as exit_info:
        launch.main()
    assert exit_info.value.code == 130
    assert capsys.readouterr().err == "osintkit: interrupted while starting; nothing was done\n"


def test_the_console_script_is_the_launcher() -> None:
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["osintkit"] == "osintkit.launch:main"
