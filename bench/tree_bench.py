"""The study tree alone, in the real page, fed synthetic summaries: how long one update takes
as the tree grows (issue #14: the page's cost per file must not grow with the files listed).

    python bench/tree_bench.py [--site DIR ...] [--marks 1000 5000 20000] [--repeats 15]

At each mark it times 8 files added (``StudyTree.add``, as the page adds them) and the tree
updated: the update with the page's style and layout forced (``update``), and up to the next
frame drawn after it (``frame``; at least one frame, ~16 ms), median and worst of
``--repeats``. The files are laid out as ``index_bench.py`` makes them (one series of 2,000,
then series of 200). No worker is involved, so a loaded machine disturbs it less than
``index_bench.py``; give several ``--site`` (another build, e.g. of main) to compare.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.tab import app_page  # noqa: E402

SCRIPT = """async ([marks, repeats]) => {
  const { StudyTree } = await import('./app/page/study-tree.js');
  const { Scope } = await import('./app/page/deid/scope.js');
  // A tree of its own in the pane's place (the app's own tree and previews stay out of it).
  document.getElementById('results').hidden = false;
  const pane = document.getElementById('study-tree');
  const nav = document.createElement('nav');
  nav.className = pane.className;
  pane.replaceWith(nav);
  const tree = new StudyTree(nav, () => {}, () => {}, new Scope(() => {}));
  const summary = (n) => {
    const series = n < 2000 ? 0 : 1 + Math.floor((n - 2000) / 200);
    return {
      instanceId: `i${n}`, fileName: `series-${series}/ct-${n}.dcm`, damaged: false, notes: [],
      patient: { name: 'SYNTHETIC^PATIENT', id: 'P1', birthDate: null, sex: null },
      study: { uid: '1.2.3', date: '20040119', description: 'CT', accessionNumber: null },
      series: { uid: `1.2.3.${series}`, number: series + 1, description: null },
      instance: { uid: `1.2.3.4.${n}`, number: n < 2000 ? n + 1 : ((n - 2000) % 200) + 1 },
      modality: 'CT', sopClass: { uid: '1.2.840.10008.5.1.4.1.1.2', name: 'CT Image Storage' },
      transferSyntax: { uid: null, name: null }, rows: 8, columns: 8, frames: 1, fileSize: 1000,
      hasFileMeta: true,
    };
  };
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const out = {};
  let n = 0;
  tree.select('i0');
  for (const mark of marks) {
    while (n < mark - 8 * repeats) {  // up to the mark quickly, 400 files an update
      for (let k = 0; k < 400 && n < mark - 8 * repeats; k++) tree.add(summary(n++));
      tree.render();
      await frame();
    }
    const updates = [];
    const frames = [];
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      for (let k = 0; k < 8; k++) tree.add(summary(n++));
      tree.render();
      document.body.getBoundingClientRect();
      updates.push(performance.now() - start);
      await frame();
      frames.push(performance.now() - start);
    }
    const at = (list, q) => Math.round(list.sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))] * 10) / 10;
    out[mark] = {
      update_ms: [at(updates, 0.5), at(updates, 1)], frame_ms: [at(frames, 0.5), at(frames, 1)],
      rows_in_page: nav.querySelectorAll('li').length,
    };
  }
  return out;
}"""


def measure(page: Page, marks: list[int], repeats: int) -> dict[str, dict[str, Any]]:
    """On a page with the app loaded: per mark (files in the tree), the update's and the
    frame's median and worst milliseconds, and the instance rows in the page."""
    results: dict[str, dict[str, Any]] = page.evaluate(SCRIPT, [marks, repeats])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, action="append", help="a built site (default: dist)")
    parser.add_argument("--marks", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    print("site  files  update ms (median, worst)  frame ms (median, worst)  rows in the page")
    for site in args.site or [ROOT / "dist"]:
        with app_page(site) as (page, _version):
            results = measure(page, args.marks, args.repeats)
        for mark, r in results.items():
            print(f"{site}  {mark}  {json.dumps(r['update_ms'])}  {json.dumps(r['frame_ms'])}  {r['rows_in_page']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
