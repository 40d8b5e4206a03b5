"""Accessibility, as a keyboard user and axe-core meet the page (issue #15, item 7).

Each screen is reached as a user reaches it: the first screen; a CT series open in the viewer;
the inspector with its tag table and a search; the export question; the study PHI report with
a row expanded; the help dialog; the de-identify panel with files in scope and after a run;
the verify panel after a check. On each, at 1280×800 and 1920×1080, and at 1280×800 in the
dark scheme (the page follows the system's; its colours must hold there too):

- axe-core (pinned, build/axe_tool.py; never shipped) reports no serious or critical violation;
- Tab reaches every control of the screen (of the open dialog when one is modal), in document
  order, and each shows a focus indicator (an outline or a box-shadow) while ``:focus-visible``.

axe is run with ``page.evaluate`` of its source. The page's policy (``script-src 'self'``)
refuses an inline ``<script>``, so ``add_script_tag(content=...)`` cannot load it, and loading
it from another origin is what the site must never do. A script evaluated through the
DevTools protocol is not subject to the page's CSP, so the page is checked with the very policy
it ships (``bypass_csp`` would switch that policy off for the whole page under test).

A last test does the main tasks by keyboard alone: open files from the first screen, move
through the slices, choose a viewer tool, fold and unfold a tree row, open and close help,
close a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from artifacts import ArtifactStore
from axe_tool import axe_script
from tests.browser.conftest import load_app, viewer_state
from tests.core.pixels.helpers import ct_series

VIEWPORTS = [(1280, 800), (1920, 1080)]
#: Where each screen is audited: size and colour scheme.
AUDITS = [(*VIEWPORTS[0], "light"), (*VIEWPORTS[1], "light"), (*VIEWPORTS[0], "dark")]
SCREENS = [
    "first screen", "viewer, a CT series", "inspector, tag table and search", "export question",
    "study PHI report, a row expanded", "help", "de-identify, files in scope",
    "de-identify, after a run", "verify, after a check",
]
#: The impacts the issue forbids.
FORBIDDEN = ("serious", "critical")

#: Run axe on the whole document; each violation as id, impact, help and up to 5 nodes.
RUN_AXE = """() => axe.run(document, {resultTypes: ['violations']}).then((result) =>
    result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\\s+/g, ' ')}`),
    })))"""

#: Mark the screen's tab stops in document order (data-a11y-stop = 0, 1, …) and describe them:
#: within the modal dialog if one is open; the visible, enabled controls (a native control
#: taken out of the tab order counts, and is then missed); elements made focusable with
#: tabindex ≥ 0 (a roving tabindex keeps one row of a grid at 0); one stop per radio group
#: (its checked button), as the browser does.
MARK_STOPS = """() => {
    for (const node of document.querySelectorAll('[data-a11y-stop]')) node.removeAttribute('data-a11y-stop');
    const root = document.querySelector('dialog:modal') || document;
    const native = 'a[href], button, input, select, textarea, summary';
    const groups = new Set();
    const stops = [];
    for (const node of root.querySelectorAll(`${native}, [tabindex]`)) {
        if (!node.matches(native) && node.tabIndex < 0) continue;
        if (node.disabled || node.closest('[inert]')) continue;
        if (!node.checkVisibility({visibilityProperty: true})) continue;
        if (node.type === 'radio') {
            const checked = root.querySelector(`input[type=radio][name="${node.name}"]:checked`);
            if (groups.has(node.name) || (checked && checked !== node)) continue;
            groups.add(node.name);
        }
        node.setAttribute('data-a11y-stop', String(stops.length));
        stops.push(window.__a11yName(node));
    }
    return stops;
}"""

#: The focused element: its stop (or null), its name, whether it matches :focus-visible and
#: whether it shows an outline or a box-shadow.
FOCUSED = """() => {
    const node = document.activeElement;
    if (!node || node === document.body || node === document.documentElement) return null;
    const style = getComputedStyle(node);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {
        stop: node.hasAttribute('data-a11y-stop') ? Number(node.getAttribute('data-a11y-stop')) : null,
        name: window.__a11yName(node),
        focusVisible: node.matches(':focus-visible'),
        indicator: outline || style.boxShadow !== 'none',
    };
}"""

#: How a control is named in the messages: its test id, else its tag and accessible text.
NAME_HELPER = """() => {
    window.__a11yName = (node) => node.getAttribute('data-testid')
        || `${node.tagName.toLowerCase()} "${(node.getAttribute('aria-label') || node.textContent || '').trim().slice(0, 40)}"`;
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    return axe_script(ArtifactStore()).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three CT slices of one series (pydicom's CT_small, its patient's name and ID in them)."""
    return ct_series(tmp_path_factory.mktemp("a11y-ct"), "slice-", "1.2.826.0.1.3680043.8.498.77.1",
                     3, [30.0, 10.0, 20.0], 100)


def new_page(browser: Browser, site_url: str, size: tuple[int, int],
             scheme: Literal["light", "dark"] = "light") -> tuple[Page, list[str]]:
    context = browser.new_context(accept_downloads=True, viewport={"width": size[0], "height": size[1]},
                                  color_scheme=scheme)
    errors: list[str] = []
    return load_app(context, site_url, errors), errors


def axe_violations(page: Page, axe_source: str) -> list[str]:
    """axe's serious and critical violations on the page as it is, one line each."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    found = page.evaluate(RUN_AXE)
    return [f"{v['id']} ({v['impact']}): {v['help']}\n      " + "\n      ".join(v["nodes"])
            for v in found if v["impact"] in FORBIDDEN]


def tab_problems(page: Page) -> list[str]:
    """Tab through the screen once round; what is wrong with its keyboard focus, if anything."""
    page.evaluate(NAME_HELPER)
    stops: list[str] = page.evaluate(MARK_STOPS)
    assert stops, "no control found on this screen"
    if page.evaluate("document.querySelector('dialog:modal') === null"):
        # Start at the top: a click on the (inert) title puts the keyboard's starting point there.
        page.locator("header h1").click()
    reached: list[int] = []
    problems: list[str] = []
    for _ in range(2 * len(stops) + 10):
        page.keyboard.press("Tab")
        focused: dict[str, Any] | None = page.evaluate(FOCUSED)
        if focused is None:
            continue  # out of the document (the browser's own controls), before coming round
        if not (focused["focusVisible"] and focused["indicator"]):
            problems.append(f"{focused['name']}: no visible focus indicator")
        if focused["stop"] is None:
            continue  # a stop that is not a control (e.g. a scrolling box): only its indicator counts
        if focused["stop"] in reached:
            break
        reached.append(focused["stop"])
    missed = [stops[i] for i in range(len(stops)) if i not in reached]
    if missed:
        problems.append(f"never reached by Tab: {missed}")
    # One round, started anywhere: in document order once rotated to its first stop.
    if reached:
        start = reached.index(min(reached))
        order = reached[start:] + reached[:start]
        if order != sorted(order):
            problems.append(f"Tab order is not the document order: {[stops[i] for i in order]}")
    return problems


def walk(page: Page, series: list[Path]) -> Iterator[str]:
    """Reach each screen of SCREENS in turn, as a user does, yielding its name once it is shown."""
    yield SCREENS[0]

    page.get_by_test_id("file-input").set_input_files([str(p) for p in series])
    rows = page.get_by_test_id("tree-instance")
    expect(rows).to_have_count(len(series), timeout=60000)
    rows.first.click()
    first = rows.first.get_attribute("data-instance-id")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", first or "", timeout=30000)
    yield SCREENS[1]

    expect(page.get_by_test_id("inspector")).to_have_attribute("data-loaded", first or "", timeout=30000)
    page.get_by_test_id("tag-search").fill("patient")
    expect(page.get_by_test_id("search-status")).not_to_be_empty()
    yield SCREENS[2]

    page.get_by_test_id("export-csv").click()
    expect(page.get_by_test_id("export-confirm")).to_be_visible()
    yield SCREENS[3]
    page.get_by_test_id("export-confirm-cancel").click()
    expect(page.get_by_test_id("export-confirm")).to_be_hidden()

    page.get_by_test_id("study-phi-open").click()
    expect(page.get_by_test_id("study-phi")).to_have_attribute("data-loaded", "true", timeout=30000)
    page.get_by_test_id("study-phi-expand").first.click()
    expect(page.get_by_test_id("study-phi-values")).to_have_count(1)
    yield SCREENS[4]
    page.get_by_test_id("study-phi-close").click()
    expect(page.get_by_test_id("study-phi")).to_be_hidden()

    page.keyboard.press("?")
    expect(page.get_by_test_id("viewer-help-panel")).to_be_visible()
    yield SCREENS[5]
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("viewer-help-panel")).to_be_hidden()

    page.get_by_test_id("deid-open").click()
    expect(page.get_by_test_id("deid-scope")).to_contain_text(f"{len(series)} of {len(series)}")
    yield SCREENS[6]

    page.get_by_test_id("deid-key-new").click()
    expect(page.get_by_test_id("deid-key-warning")).to_be_visible()
    with page.expect_download(timeout=120000):
        page.get_by_test_id("deid-run").click()
    expect(page.get_by_test_id("deid-result")).to_be_visible(timeout=60000)
    yield SCREENS[7]

    page.get_by_test_id("deid-reopen").click()
    expect(page.get_by_test_id("tree-instance")).to_have_count(2 * len(series), timeout=60000)
    page.get_by_test_id("verify-open").click()
    page.get_by_test_id("verify-run").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-result", "passed", timeout=60000)
    yield SCREENS[8]


@pytest.fixture(scope="module", params=AUDITS,
                ids=lambda a: f"{a[0]}x{a[1]}" + ("-dark" if a[2] == "dark" else ""))
def audit(request: pytest.FixtureRequest, browser: Browser, site_url: str, axe_source: str,
          series: list[Path]) -> dict[str, dict[str, list[str]]]:
    """Every screen walked once at this size and scheme: per screen, axe's findings and the
    Tab walk's."""
    width, height, scheme = request.param
    page, errors = new_page(browser, site_url, (width, height), scheme)
    found: dict[str, dict[str, list[str]]] = {}
    for screen in walk(page, series):
        found[screen] = {"axe": axe_violations(page, axe_source), "tab": tab_problems(page)}
    page.context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"
    assert list(found) == SCREENS  # every screen was reached and checked
    return found


def report(found: dict[str, dict[str, list[str]]], kind: str) -> str:
    return "\n".join(f"  {screen}:\n    " + "\n    ".join(lines[kind])
                     for screen, lines in found.items() if lines[kind])


def test_axe_finds_no_serious_or_critical_violation_on_any_screen(
        audit: dict[str, dict[str, list[str]]]) -> None:
    assert not any(lines["axe"] for lines in audit.values()), "axe:\n" + report(audit, "axe")


def test_tab_reaches_every_control_in_order_with_a_visible_focus(
        audit: dict[str, dict[str, list[str]]]) -> None:
    assert not any(lines["tab"] for lines in audit.values()), "keyboard:\n" + report(audit, "tab")


def focused_test_id(page: Page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('data-testid')")


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 200) -> None:
    """Press Tab (Shift+Tab) until the focus is on the element matching ``selector``."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        passed.append(focused_test_id(page))
    raise AssertionError(f"Tab never reached {selector}; passed {passed}")


def test_the_main_tasks_work_by_keyboard_alone(browser: Browser, site_url: str, series: list[Path]) -> None:
    page, errors = new_page(browser, site_url, VIEWPORTS[0])

    # Open the series from the View card: Tab to its button, Enter presses it (which takes
    # the View task and opens the picker), and the files are chosen in its picker. They are
    # given to the picker's input as the picker gives them: whether a key Playwright sends
    # counts as the user activation a native picker needs varies (see test_first_screen.py);
    # if Enter did not press the button, no task is taken and nothing opens.
    page.locator("header h1").click()
    tab_to(page, "[data-testid=task-view-files]")
    page.keyboard.press("Enter")
    page.get_by_test_id("task-file-input").set_input_files([str(p) for p in series])
    stage = page.get_by_test_id("viewer-stage")
    expect(stage).to_be_focused(timeout=60000)
    # The first image is shown while the others are still coming in; the stack follows.
    # (A function: the page's policy forbids evaluating a bare expression while polling.)
    page.wait_for_function("(n) => window.dicomtab.viewer.state.loaded !== null"
                           " && window.dicomtab.viewer.state.stack.ids.length === n",
                           arg=len(series), timeout=30000)
    ids = viewer_state(page)["stack"]["ids"]
    assert len(ids) == len(series)

    # Move through the slices: first, next, last, previous.
    for key, index in [("Home", 0), ("ArrowDown", 1), ("End", len(ids) - 1), ("ArrowUp", len(ids) - 2)]:
        page.keyboard.press(key)
        expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", ids[index], timeout=30000)

    # The viewer's tools: back to Length on the toolbar, Enter chooses it; Space flips.
    tab_to(page, "[data-testid=viewer-measure]", backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("viewer-measure")).to_have_attribute("aria-pressed", "true")
    assert viewer_state(page)["tool"] == "length"
    tab_to(page, "[data-testid=viewer-flip-h]")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("viewer-flip-h")).to_have_attribute("aria-pressed", "true")
    assert viewer_state(page)["flipH"] is True

    # Help: ? opens it with the focus inside, Escape closes it and gives the focus back.
    page.keyboard.press("?")
    help_panel = page.get_by_test_id("viewer-help-panel")
    expect(help_panel).to_be_visible()
    assert page.evaluate("document.getElementById('help').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(help_panel).to_be_hidden()
    expect(page.get_by_test_id("viewer-flip-h")).to_be_focused()

    # The tree: back to the series row, Space folds it and says so, Enter unfolds it; even
    # with the pointer resting on the image (whose keys include Space), the row keeps its keys.
    page.get_by_test_id("viewer-canvas").hover()
    series_row = page.locator("[data-testid=tree-series] > summary")
    tab_to(page, "[data-testid=tree-series] > summary", backwards=True)
    page.keyboard.press("Space")
    expect(series_row).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_test_id("tree-instance").first).to_be_hidden()
    page.keyboard.press("Enter")
    expect(series_row).to_have_attribute("aria-expanded", "true")
    assert viewer_state(page)["cine"]["playing"] is False
    # Its rows: Tab into the first, arrows move between them, Enter shows one.
    tab_to(page, "[data-testid=tree-instance]")
    page.keyboard.press("ArrowDown")
    row = page.locator("[data-testid=tree-instance]:focus")
    chosen = row.get_attribute("data-instance-id")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", chosen or "", timeout=30000)
    expect(row).to_have_attribute("aria-selected", "true")

    # Close that file: Tab to its close button, Enter; the focus lands on the row shown next.
    tab_to(page, f'[data-testid=tree-instance][data-instance-id="{chosen}"] button[data-close-ids]')
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("tree-instance")).to_have_count(len(series) - 1)
    expect(page.locator("[data-testid=tree-instance][aria-selected=true]")).to_be_focused()

    page.context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"
