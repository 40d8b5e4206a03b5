"""Serve ``dist/`` on localhost the way a production server should.

    python build/serve.py [--port 8000] [--dir dist]

Sends the headers the build wrote to ``dist/_headers`` (the Content-Security-Policy above
all, which also confines the worker: a <meta> policy cannot), ``application/wasm`` for
WebAssembly, and revalidation-friendly caching. Binds to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


def read_headers(site: Path) -> list[tuple[str, str]]:
    """The ``/*`` block of ``_headers`` as (name, value) pairs."""
    pairs = []
    for line in (site / "_headers").read_text().splitlines():
        if line.startswith("  ") and ":" in line:
            name, value = line.strip().split(":", 1)
            pairs.append((name.strip(), value.strip()))
    return pairs


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files plus the site's security headers."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    site_headers: list[tuple[str, str]] = []
    quiet = True

    def end_headers(self) -> None:
        for name, value in self.site_headers:
            self.send_header(name, value)
        # The runtime's files never change under a name; the shell is revalidated each visit.
        immutable = "/pyodide/" in self.path and not self.path.endswith("pyodide-lock.json")
        self.send_header(
            "Cache-Control", "max-age=31536000, immutable" if immutable else "no-cache"
        )
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if not self.quiet:
            super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    """The threading server, quiet about browsers that close a connection mid-download
    (a page closed or navigated away while files were still coming)."""

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def make_server(
    site: Path, port: int = 0, *, quiet: bool = True
) -> http.server.ThreadingHTTPServer:
    """A server for ``site`` on 127.0.0.1 (port 0: any free port); not yet serving."""
    handler = type(
        "BoundSiteHandler", (SiteHandler,), {"site_headers": read_headers(site), "quiet": quiet}
    )
    return SiteServer(("127.0.0.1", port), functools.partial(handler, directory=str(site)))


def serve_in_thread(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start serving ``site`` in a daemon thread; return the server and its base URL."""
    server = make_server(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dir", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    if not (args.dir / "_headers").exists():
        print(f"{args.dir} is not a built site; run: python build/build_site.py", file=sys.stderr)
        return 1
    server = make_server(args.dir, args.port, quiet=False)
    print(
        f"dicomtab is served at http://127.0.0.1:{server.server_address[1]}/  (Ctrl+C stops)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
