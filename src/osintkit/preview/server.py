"""The preview over HTTP, on 127.0.0.1 only, for the browser of the person who started it.

It answers only requests addressed to exactly ``127.0.0.1:PORT``: a web page elsewhere can
point a name of its own at 127.0.0.1 (DNS rebinding), but it cannot make the browser send
this Host header. It serves the page, the reload channel (Server-Sent Events: one long-lived
response the browser's EventSource reconnects by itself, in the standard library on both
ends), the PDF when previewing it, and the local files the report loads, each confined to the
brief's folder.

Only the page at ``/`` may run script, and only its own. Every other response carries a
Content-Security-Policy with ``sandbox``: opened as a document (an image in a tab of its own,
an error page), it gets an opaque origin, runs no script and can load nothing that could
read the page or send it elsewhere.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from osintkit.preview.assets import confined_file, served_type
from osintkit.preview.page import EVENTS_PATH, PDF_PATH, served_page
from osintkit.preview.session import PreviewSession

#: The only address the preview listens on.
LOOPBACK = "127.0.0.1"
#: Seconds between keep-alive comments on the reload channel: a closed tab shows up as a
#: failed write, and the thread serving it ends.
_KEEPALIVE = 15.0
#: Milliseconds the browser waits before reconnecting to a restarted preview.
_RETRY_MS = 500

_COMMON_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Another site's page may not even embed these responses as images or frames.
    "Cross-Origin-Resource-Policy": "same-origin",
}


#: Everything but the page, the PDF and the assets (errors, the reload channel): a document
#: that can load nothing, run nothing, and be framed by nothing.
_INERT_POLICY = (
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
)
#: The PDF: framed by the page. Chromium's viewer shows a sandboxed PDF, framed or in a tab.
_PDF_POLICY = (
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)
#: The report's own files. An SVG opened in a tab of its own still gets its styles and
#: embedded images, and nothing else: no script, no requests beyond this server's images,
#: an opaque origin that cannot read the page. (In an <img>, no policy is needed: an image
#: runs no script and loads nothing.)
_ASSET_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)


def _page_policy(nonce: str) -> str:
    """The page's Content-Security-Policy: only the injected script runs, and nothing comes
    from the web (a remote image in Markdown is rendered as a link, never fetched)."""
    return (
        f"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


class PreviewServer:
    """An HTTP server for one :class:`PreviewSession`, on 127.0.0.1."""

    def __init__(self, session: PreviewSession, port: int = 0) -> None:
        """Listen on 127.0.0.1:``port`` (0: a free port). Raises OSError if it cannot."""
        self.session = session
        self._http = _HttpServer((LOOPBACK, port), _Handler)
        self._http.preview = self
        self.port: int = self._http.server_address[1]
        #: The one Host header the server answers.
        self.host = f"{LOOPBACK}:{self.port}"
        self.url = f"http://{self.host}/"
        self.closing = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve requests on a thread of their own (each request then gets its own thread)."""
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="osintkit-preview-http",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving: end the reload channels, stop accepting, close the socket."""
        self.closing.set()
        self.session.wake()
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
        self._http.server_close()

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class _HttpServer(ThreadingHTTPServer):
    preview: PreviewServer
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the address up in DNS for a name nothing here uses.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser closing a tab mid-response is routine, not an error worth a traceback.
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer

    def version_string(self) -> str:
        """The Server header: no Python version for a page to fingerprint."""
        return "osintkit-preview"

    def log_message(self, format: str, *args: Any) -> None:
        """The preview reports builds, not requests: nothing is logged."""

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def _answer(self) -> None:
        preview = self.server.preview
        hosts = self.headers.get_all("Host") or []
        if hosts != [preview.host]:
            self._send(421, b"this server answers only to " + preview.host.encode() + b"\n")
            return
        if not self.path.startswith("/"):
            self._send(400, b"bad request\n")
            return
        path = urlsplit(self.path).path
        if path == "/":
            self._page()
        elif path == EVENTS_PATH:
            self._events()
        elif path == PDF_PATH and preview.session.pdf:
            self._pdf()
        else:
            self._asset(unquote(path))

    def _page(self) -> None:
        nonce = secrets.token_urlsafe(16)
        session = self.server.preview.session
        html = served_page(session.snapshot(), session.pdf, nonce)
        self._send(200, html.encode(), "text/html; charset=utf-8", _page_policy(nonce))

    def _pdf(self) -> None:
        data = self.server.preview.session.snapshot().pdf
        if data is None:
            self._send(404, b"no PDF yet\n")
            return
        self._send(200, data, "application/pdf", _PDF_POLICY)

    def _asset(self, url_path: str) -> None:
        session = self.server.preview.session
        # Only what the report loads, only of a passive type (an HTML or XML file there would
        # be a document of this origin with script of its own), and only if it lies in the
        # brief's folder for real.
        kind = served_type(url_path)
        found = None
        if kind is not None and url_path in session.snapshot().assets:
            found = confined_file(session.asset_root, url_path)
        if found is None and url_path == "/favicon.ico":
            # Browsers ask for one unprompted; "no icon" keeps their consoles free of a 404.
            self._send(204, b"")
            return
        if found is None or kind is None:
            self._send(404, b"not found\n")
            return
        try:
            with found.open("rb") as file:
                size = found.stat().st_size
                self._start(200, kind, size, _ASSET_POLICY)
                if self.command != "HEAD":
                    shutil.copyfileobj(file, self.wfile)
        except OSError:
            # Gone between the check and the read, or a write failed: the browser retries.
            self.close_connection = True

    def _events(self) -> None:
        preview = self.server.preview
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self._end_headers(_INERT_POLICY)
        if self.command == "HEAD":
            return
        sent = ""
        with contextlib.suppress(ConnectionError):
            self.wfile.write(f"retry: {_RETRY_MS}\n\n".encode())
            while not preview.closing.is_set():
                generation = preview.session.wait_for_build(sent, _KEEPALIVE)
                if preview.closing.is_set():
                    break
                if generation != sent:
                    self.wfile.write(f"data: {generation}\n\n".encode())
                    sent = generation
                else:
                    self.wfile.write(b": keep-alive\n\n")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Refuse a request the standard library turns away (a method other than GET or HEAD,
        a malformed request line) in plain text under the inert policy, not as its HTML page."""
        self.close_connection = True
        reason = message or self.responses.get(code, ("error",))[0]
        self._send(code, f"{code} {reason}\n".encode("latin-1", "replace"))

    def _start(self, status: int, kind: str, length: int, policy: str = _INERT_POLICY) -> None:
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(length))
        self._end_headers(policy)

    def _end_headers(self, policy: str) -> None:
        for name, value in _COMMON_HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Security-Policy", policy)
        self.end_headers()

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str = "text/plain; charset=utf-8",
        policy: str = _INERT_POLICY,
    ) -> None:
        self._start(status, kind, len(body), policy)
        if self.command != "HEAD":
            self.wfile.write(body)
