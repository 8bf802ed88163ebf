"""Hostile briefs and templates: nothing outside the allowed folders is read, no connection is
made, a runaway render is stopped, and an interrupted render leaves the previous files whole."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from osintkit.cli import app
from osintkit.errors import RenderError
from osintkit.render.html import RenderedHtml
from osintkit.render.pdf import RenderLimits, render_pdf
from support import SVG_BOMB

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECRET = b"SECRET-8d1f3c-MUST-NOT-LEAK"
# A 1x1 PNG: the one image the hostile brief may show.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


class Listener:
    """A TCP port that counts every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def hostile(tmp_path: Path, listener: Listener) -> tuple[Path, Path]:
    """A brief and a template that reach for secrets, the network and other folders."""
    (tmp_path / "secret.png").write_bytes(SECRET)
    (tmp_path / "secret.css").write_bytes(b"body::after { content: '" + SECRET + b"'; }")
    work = tmp_path / "work"
    briefs = work / "briefs"
    briefs.mkdir(parents=True)
    shutil.copy(FIXTURES / "series.yaml", briefs / "series.yaml")
    (briefs / "inside.png").write_bytes(PNG)
    (briefs / "link.png").symlink_to(tmp_path / "secret.png")
    url = f"http://127.0.0.1:{listener.port}"
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "geopolitical_context: |\n",
        "geopolitical_context: |\n"
        f"  ![net]({url}/image.png) ![proto](//127.0.0.1:{listener.port}/pixel.png)\n"
        "  ![ok](inside.png) ![file](file:///etc/passwd)\n\n",
    )
    (briefs / "hostile.yaml").write_text(text, encoding="utf-8")

    template = work / "look"
    shutil.copytree(ROOT / "report_templates" / "series", template)
    css = template / "report.css"
    css.write_text(
        f"@import url({url}/imported.css);\n"
        "@import url(../../secret.css);\n"
        f"@font-face {{ font-family: Leak; src: url({url}/font.woff); }}\n"
        f"@color-profile --leak {{ src: url({url}/profile.icc); }}\n"
        + css.read_text(encoding="utf-8")
        + "\n.masthead { background: url(file:///etc/passwd); }\n"
        + f".unit {{ background-image: url({url}/bg.png); font-family: Leak; }}\n",
        encoding="utf-8",
    )
    page = template / "report.html.j2"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>",
            '<a rel="attachment" href="file:///etc/passwd">passwd</a>\n'
            '<a rel="attachment" href="../../secret.png">secret</a>\n'
            f'<img src="{url}/tracker.png" alt="">\n'
            f'<object data="{url}/object.svg"></object>\n'
            "</body>",
        ),
        encoding="utf-8",
    )
    return briefs / "hostile.yaml", template


def test_hostile_references_read_nothing_outside_and_connect_nowhere(
    hostile: tuple[Path, Path], listener: Listener, tmp_path: Path
) -> None:
    brief, template = hostile
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(brief), "-t", str(template), "-o", str(out), "-f", "pdf"]
    )
    assert result.exit_code == 0, result.output
    assert listener.connections == 0
    refused = [
        line for line in result.stderr.splitlines() if "warning:" in line and "refused" in line
    ]
    text = "\n".join(refused)
    for fragment in (
        "imported.css", "secret.css", "font.woff", "profile.icc", "file:///etc/passwd",
        "bg.png", "tracker.png", "object.svg", "secret.png",
    ):  # fmt: skip
        assert fragment in text, f"no warning names {fragment}:\n{result.stderr}"
    pdf = (out / "hostile.pdf").read_bytes()
    assert SECRET not in pdf
    reader = PdfReader(out / "hostile.pdf")
    assert not reader.attachments
    assert "root:x:0:0" not in "".join(page.extract_text() for page in reader.pages)
    # The image inside the brief's folder is the one that made it in.
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1


def test_a_brief_s_images_outside_its_folder_are_errors_and_nothing_is_read(
    hostile: tuple[Path, Path], tmp_path: Path
) -> None:
    brief, _ = hostile
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace(
            "  ![ok](inside.png)",
            "  ![up](../../secret.png) ![link](link.png)\n  ![ok](inside.png)",
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(brief), "-o", str(out)])
    assert result.exit_code == 1
    line = 1 + text[: text.index("  ![ok](inside.png)")].count("\n")
    message = "lies outside the brief's folder: only files under it are read"
    errors = " ".join(result.stderr.split())
    where, field = f"{brief}:{line}", "error: geopolitical_context: figure"
    assert f"{where}:3: {field} '../../secret.png' {message} [figure]" in errors
    assert f"{where}:27: {field} 'link.png' {message} [figure]" in errors
    assert not out.exists()
    assert SECRET.decode() not in result.output


def test_a_template_reads_nothing_from_the_brief_s_folder(tmp_path: Path) -> None:
    # Beside a public brief lie restricted ones; the figures a brief shows are inlined, so
    # the PDF needs nothing from its folder, and a shared template must not reach into it
    # (it would put an AMBER brief into a public PDF as an attachment).
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    shutil.copy(FIXTURES / "series.yaml", briefs / "series.yaml")
    shutil.copy(FIXTURES / "minimal.yaml", briefs / "public.yaml")
    (briefs / "restricted.yaml").write_bytes(b"title: " + SECRET)
    (briefs / "restricted.css").write_bytes(b"body::after { content: '" + SECRET + b"'; }")
    (briefs / "restricted.png").write_bytes(PNG)
    template = tmp_path / "look"
    shutil.copytree(ROOT / "report_templates" / "series", template)
    page = template / "report.html.j2"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>",
            '<a rel="attachment" href="restricted.yaml">a</a><img src="restricted.png" alt="">'
            '<link rel="stylesheet" href="restricted.css"></body>',
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(briefs / "public.yaml"), "-t", str(template), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    pdf = (out / "public.pdf").read_bytes()
    assert SECRET not in pdf
    reader = PdfReader(out / "public.pdf")
    # rel=attachment becomes a file attachment annotation, which pypdf's attachments omit.
    annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])]
    attached = [
        a["/FS"]["/EF"]["/F"].get_object().get_data()
        for a in annotations
        if a.get("/Subtype") == "/FileAttachment"
    ]
    assert attached and all(SECRET not in data for data in attached)
    assert not [image for page in reader.pages for image in page.images]
    warnings = " ".join(result.stderr.split())
    for name in ("restricted.yaml", "restricted.png", "restricted.css"):
        assert f"refused to load {(briefs / name).as_uri()}" in warnings, result.stderr


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(SECRET)
    folder = tmp_path / "briefs"
    folder.mkdir()
    (folder / "link.png").symlink_to(tmp_path / "secret.png")
    result = render_pdf(page('<img src="link.png" alt="">', folder), IN_PROCESS)
    assert SECRET not in result.data
    assert result.warnings[0].startswith(f"refused to load {(folder / 'link.png').as_uri()}")


def test_a_refused_color_profile_does_not_abort_the_render(tmp_path: Path) -> None:
    html = "<style>@color-profile --p { src: url(file:///etc/passwd) }</style><p>text</p>"
    result = render_pdf(page(html, tmp_path), IN_PROCESS)
    assert result.pages == 1
    assert "refused to load file:///etc/passwd" in result.warnings[0]


def test_a_warning_quotes_a_long_url_by_a_short_prefix(tmp_path: Path) -> None:
    # WeasyPrint quotes the whole data: URI of an image it cannot load: megabytes on a line.
    uri = "data:image/png;base64," + "iVBORw0KGgp4" * 100_000
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg"><image width="9" height="9" href="{uri}"/></svg>'
    )
    html = f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'
    (warning,) = render_pdf(page(html, tmp_path), IN_PROCESS).warnings
    assert "data:image/png;base64,iVBORw0KGgp4" in warning
    assert len(warning) < 200, warning


def test_an_svg_bomb_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    (tmp_path / "bomb.svg").write_text(SVG_BOMB, encoding="utf-8")
    # The message is the limit's own: the render was stopped by it, not by finishing.
    with pytest.raises(RenderError, match=r"took longer than 2 s and was stopped"):
        render_pdf(page('<img src="bomb.svg" alt="">', tmp_path), RenderLimits(seconds=2))


def test_a_render_over_the_memory_limit_is_stopped(tmp_path: Path) -> None:
    # In a fresh interpreter: the limit is "what the parent has mapped, plus the budget", and
    # pytest's own process has enough freed-but-mapped memory to hide a small budget.
    script = f"""
from pathlib import Path
from osintkit.errors import RenderError
from osintkit.render.html import RenderedHtml
from osintkit.render.pdf import RenderLimits, render_pdf
html = "<table>" + "<tr><td>cell</td><td>cell</td></tr>" * 1000 + "</table>"
folder = Path({str(tmp_path)!r})
try:
    render_pdf(RenderedHtml(html, folder, (folder,)), RenderLimits(memory_mib=2))
except RenderError as exc:
    print(exc)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert "more than 2 MiB of memory" in result.stdout, result.stdout + result.stderr


def test_the_child_process_gives_the_same_pdf_as_in_process(tmp_path: Path) -> None:
    html = "<h1>Title</h1><p>Some text.</p>"
    here = render_pdf(page(html, tmp_path), IN_PROCESS)
    child = render_pdf(page(html, tmp_path))
    assert child.pages == here.pages == 1
    assert pdf_text(child.data) == pdf_text(here.data)


def page(html: str, folder: Path) -> RenderedHtml:
    """``html`` as render_html would hand it over (with its language: a tagged PDF without
    one is warned about), reading only from ``folder``."""
    return RenderedHtml(f'<html lang="en">{html}', folder, (folder,))


#: Render in the test's own process: the fetcher, not the sandbox, is under test.
IN_PROCESS = RenderLimits(sandbox=False)


def pdf_text(data: bytes) -> str:
    import io

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- the CLI, interrupted ------------------------------------------------------------------


@pytest.fixture
def bomb_brief(tmp_path: Path) -> Path:
    """A valid brief whose PDF never finishes, with a good report already in out/."""
    folder = tmp_path / "briefs"
    folder.mkdir()
    shutil.copy(FIXTURES / "series.yaml", folder / "series.yaml")
    brief = folder / "report.yaml"
    shutil.copy(FIXTURES / "minimal.yaml", brief)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(brief), "-o", str(out)])
    assert result.exit_code == 0, result.output
    (folder / "bomb.svg").write_text(SVG_BOMB, encoding="utf-8")
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace("background: |\n", "background: |\n  ![bomb](bomb.svg)\n\n"),
        encoding="utf-8",
    )
    return brief


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_cli_time_limit_keeps_the_previous_report(bomb_brief: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _outputs(out)
    result = CliRunner().invoke(
        app, ["render", str(bomb_brief), "-o", str(out), "--time-limit", "2"]
    )
    assert result.exit_code == 1
    assert f"error: {bomb_brief}: PDF rendering took longer than 2 s" in " ".join(
        result.stderr.split()
    )
    assert _outputs(out) == before  # no temporary files either
    assert "Traceback" not in result.output


def _render_child(pid: int) -> int | None:
    """The forked render process of ``pid``: a child running the same command line.

    Importing WeasyPrint runs short-lived helper programs (ldconfig) as children too.
    """
    try:
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    for child in children:
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                return int(child)
        except OSError:
            continue
    return None


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_render(brief: Path, out: Path) -> tuple[subprocess.Popen[bytes], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "osintkit", "render", str(brief), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a process group of its own, as a terminal gives it
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        child = _render_child(process.pid)
        # Past its warm-up (WeasyPrint's import takes under a second of CPU): laying out.
        if child is not None and _cpu_seconds(child) > 1.5:
            return process, child
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the render never started its child process")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_ctrl_c_mid_render_exits_130_and_keeps_the_previous_report(
    bomb_brief: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    before = _outputs(out)
    process, _ = _start_render(bomb_brief, out)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stderr.decode()
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert _outputs(out) == before


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_killed_render_keeps_the_previous_report_and_its_child_dies(
    bomb_brief: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    before = _outputs(out)
    process, child = _start_render(bomb_brief, out)
    process.kill()
    process.communicate(timeout=20)
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child), "the render child outlived its killed parent"
    assert _outputs(out) == before


def _running(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def test_temporaries_of_a_killed_process_are_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    from osintkit.output import TEMP_SUFFIX, write_atomic

    script = "import os; print(os.getpid())"
    dead = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    stale = tmp_path / f".report.pdf.{dead.stdout.strip()}.x1y2{TEMP_SUFFIX}"
    stale.write_bytes(b"half a report")
    mine = tmp_path / f".report.pdf.{os.getpid()}.z9{TEMP_SUFFIX}"  # a live writer's: kept
    mine.write_bytes(b"in progress")
    write_atomic(tmp_path / "report.pdf", b"%PDF-new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["report.pdf", mine.name])


def test_large_data_images_are_served_from_memory_and_prose_is_untouched(
    tmp_path: Path,
) -> None:
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 80).save(buffer, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    assert len(uri) > 4096
    prose = 'src="data:image/png;base64,' + "A" * 5000 + '"'
    html = (
        f'<img src="{uri}" alt="noise"><img alt="again" src="{uri}">'
        f'<img src="osintkit-lifted:7" alt="forged"><p>{prose}</p>'
    )
    result = render_pdf(page(html, tmp_path), IN_PROCESS)
    images = [image for page in PdfReader(io.BytesIO(result.data)).pages for image in page.images]
    assert len(images) == 1  # the figure, drawn twice from one image; the forged URL: nothing
    assert [w for w in result.warnings if "osintkit-lifted:7" in w]
    assert "A" * 100 in pdf_text(result.data).replace("\n", "")
