"""WeasyPrint's libraries found without running a program: a render execs nothing."""

from __future__ import annotations

import ast
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from osintkit.render.libraries import SONAMES

ROOT = Path(__file__).resolve().parents[1]

# A fresh interpreter (WeasyPrint not yet imported) that records, from the parent and from the
# forked render child alike, every program started, then renders the reference brief.
_RECORDER = """
import json, os, sys
log = os.environ["EXEC_LOG"]
def hook(event, args):
    if event in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system"):
        with open(log, "a") as f:
            f.write(json.dumps([event, str(args)[:200]]) + "\\n")
sys.addaudithook(hook)
from pathlib import Path
import osintkit
from osintkit.render.sandbox import RenderLimits
loaded = osintkit.load_brief(Path(sys.argv[1]))
limits = RenderLimits(sandbox=sys.argv[2] == "sandbox")
rendered = osintkit.render_brief(loaded, formats=("pdf",), limits=limits)
print(rendered.pages)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the table is for Linux")
@pytest.mark.parametrize("where", ["sandbox", "in-process"])
def test_a_cold_render_runs_no_program(tmp_path: Path, where: str) -> None:
    log = tmp_path / "exec.log"
    done = subprocess.run(
        [sys.executable, "-c", _RECORDER, str(ROOT / "briefs" / "persian-files-29-2.yaml"), where],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "EXEC_LOG": str(log)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) >= 1  # a PDF was made
    started = log.read_text().splitlines() if log.exists() else []
    assert [json.loads(line) for line in started] == []


def _names_weasyprint_tries() -> set[str]:
    """The library names in WeasyPrint's ``_dlopen(ffi, …)`` calls, read from its source."""
    import weasyprint.text.ffi as ffi

    tree = ast.parse(Path(str(ffi.__file__)).read_text(encoding="utf-8"))
    return {
        arg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_dlopen"
        for arg in node.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }


def test_the_table_knows_every_name_weasyprint_tries() -> None:
    # A WeasyPrint release that tries a new name would bring the programs back unnoticed.
    names = _names_weasyprint_tries()
    assert len(names) >= 30
    assert names <= set(SONAMES), sorted(names - set(SONAMES))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sonames are Linux's")
def test_each_soname_is_what_the_dynamic_loader_opens() -> None:
    # harfbuzz-vector is new in HarfBuzz 10 and optional to WeasyPrint; the others it needs.
    for soname in sorted(set(SONAMES.values()) - {"libharfbuzz-vector.so.0"}):
        ctypes.CDLL(soname)


def test_the_shipped_declarations_are_what_cffi_parses_from_this_weasyprint() -> None:
    # After an upgrade of WeasyPrint or cffi: `python scripts/weasyprint_ffi.py`.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from scripts import weasyprint_ffi as script

    from osintkit.render import weasyprint_ffi

    declarations = script.weasyprint_declarations()
    digest = hashlib.sha256(declarations.encode("utf-8")).hexdigest()
    assert digest == weasyprint_ffi.DECLARATIONS_SHA256
    assert script.tables(declarations) == weasyprint_ffi.TABLES


# A fresh interpreter imports WeasyPrint as osintkit does, optionally with shipped tables that
# do not match, renders a paragraph, and says whether pycparser (cffi's parser) was loaded.
_IMPORT = """
import sys
from osintkit.render import libraries, weasyprint_ffi
if sys.argv[1] == "other":
    weasyprint_ffi.DECLARATIONS_SHA256 = "0" * 64
if sys.argv[1] == "unreadable":
    weasyprint_ffi.TABLES = {**weasyprint_ffi.TABLES, "_version": 1}
libraries.import_weasyprint()
from weasyprint import HTML
from weasyprint.text.ffi import ffi
pdf = HTML(string="<p lang=en style='hyphens: auto'>Hello, world</p>").write_pdf()
print(pdf.startswith(b"%PDF"), type(ffi).__name__, "pycparser" in sys.modules)
"""


@pytest.mark.parametrize(
    ("declarations", "expected"),
    [
        ("same", "True ParsedFFI False"),
        ("other", "True FFI True"),
        ("unreadable", "True FFI True"),
    ],
)
def test_weasyprint_is_imported_without_parsing_its_declarations(
    declarations: str, expected: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, declarations],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == expected


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_a_cold_render_execs_nothing_as_the_kernel_sees_it(tmp_path: Path) -> None:
    # The audit hook above sees Python's own ways of starting a program; strace also sees a C
    # library's (GLib, fontconfig), in the parent and the render child alike.
    log = tmp_path / "execve.log"
    render = _RECORDER.replace("sys.addaudithook(hook)", "")
    done = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=execve", "-o", str(log), sys.executable, "-c",
         render, str(ROOT / "briefs" / "persian-files-29-2.yaml"), "sandbox"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "EXEC_LOG": str(tmp_path / "unused.log")},
    )  # fmt: skip
    if done.returncode != 0 and "ptrace" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) >= 1  # a PDF was made
    calls = [line for line in log.read_text().splitlines() if "execve(" in line]
    # One: the interpreter this test started.
    assert len(calls) == 1, calls
    assert sys.executable in calls[0]
