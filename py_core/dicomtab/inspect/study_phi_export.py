"""The study-level PHI report as files for a compliance record: CSV, and a printable HTML page.

Both are made here, from :class:`~dicomtab.inspect.study_phi.StudyPhi`, so the tab and
``dicomtab phi-report`` write the same bytes. Without ``values`` they hold counts, tags and
private creators only: files are named by label (``instance-3``), not by their names. With
``values`` they add each row's distinct values and the files' names.

The HTML page stands alone: inline CSS, no script, no reference to anything outside it, every
value through :func:`html.escape`. The CSV's cells cannot become spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

from dicomtab import __version__
from dicomtab.inspect.export_text import csv_cell
from dicomtab.inspect.study_phi import StudyPhi

CSV_COLUMNS = (
    "section", "category", "tag", "keyword", "name", "private_creator", "vr", "action",
    "files", "empty_files", "occurrences", "distinct_values", "values",
)

#: Separates a row's values in its one CSV cell (values may hold "\\" and ";" themselves,
#: but not a line break and a tab together).
VALUE_SEPARATOR = "\n"


def _values_text(report: StudyPhi, key: str) -> str:
    listed = report.values(key, every=True)["values"]
    return VALUE_SEPARATOR.join(
        f"{v['value']}{' ...' if v['clipped'] else ''}\t{' '.join(v['labels'])}" for v in listed
    )


def _file_problem(entry: dict[str, Any], values: bool) -> str:
    if entry["status"] == "read":
        return ""
    # The message names the file: only with the names.
    return entry["problem"] if values else f"{entry['status']} ({entry['problemKind']})"


def to_csv(report: StudyPhi, *, values: bool = False) -> str:
    """One CSV: element rows by category, then private creators, flagged files and files."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    data = report.to_dict()
    for category in data["categories"]:
        for row in category["rows"]:
            writer.writerow([
                "element", category["category"], row["tag"], row["keyword"],
                csv_cell(row["name"]), csv_cell(row["privateCreator"] or ""), row["vr"],
                row["action"], row["files"], row["emptyFiles"], row["occurrences"],
                row["distinct"], csv_cell(_values_text(report, row["key"])) if values else "",
            ])
    for creator in data["privateCreators"]:
        writer.writerow(["private-creator", "private", "", "", "", csv_cell(creator["creator"]),
                         "", "", creator["files"], "", creator["elements"], "", ""])
    for flag in data["flags"]:
        labels = " ".join(f["label"] for f in flag["files"])
        writer.writerow(["flag", flag["flag"], "", "", flag["label"], "", "", "",
                         len(flag["files"]), "", "", "", labels])
    for entry in data["files"]:
        name = csv_cell(entry["fileName"]) if values else ""
        writer.writerow(["file", entry["status"], "", "", entry["label"], "", "", "", "", "", "",
                         "", csv_cell(" ".join(filter(None, [name, _file_problem(entry, values)])))])
    return out.getvalue()


STYLE = """
body { font: 13px/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } td.n { text-align: right; }
ul.values { margin: 0; padding-left: 1.2em; } .muted { color: #555; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def _table(head: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(
            f"<td class=\"n\">{c}</td>" if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _values_html(report: StudyPhi, key: str) -> str:
    items = "".join(
        f"<li>{escape(v['value'])}{' …' if v['clipped'] else ''} "
        f"<span class=\"muted\">({escape(', '.join(v['labels']))})</span></li>"
        for v in report.values(key, every=True)["values"]
    )
    return f"<ul class=\"values\">{items}</ul>"


def to_html(report: StudyPhi, *, values: bool = False) -> str:
    """A printable page: the same content as :func:`to_csv`, and the action codes' legend."""
    data = report.to_dict()
    files = data["files"]
    parts = [
        "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<title>Study PHI report</title>", f"<style>{STYLE}</style></head><body>",
        "<h1>Study PHI report</h1>",
        f"<p>{len(files)} file{'' if len(files) == 1 else 's'}: {data['readable']} read, "
        f"{data['damaged']} of them damaged (what could be read is counted). Actions from "
        f"{escape(data['table'])}. Made by dicomtab {escape(__version__)}.</p>",
        "<p>" + ("The values of each element are listed below it; handle this page like the "
                 "files themselves." if values else
                 "Counts only: no value from the files is in this page.") + "</p>",
    ]
    for category in data["categories"]:
        parts.append(f"<h2>{escape(category['label'])}: {len(category['rows'])} element"
                     f"{'' if len(category['rows']) == 1 else 's'} in {category['files']} "
                     f"file{'' if category['files'] == 1 else 's'}</h2>")
        parts.append(f"<p class=\"muted\">{escape(category['about'])}</p>")
        if not category["rows"]:
            continue
        head = ["Tag", "Name", "Keyword", "VR", "Action", "Files", "Empty in", "Distinct values"]
        rows = []
        for row in category["rows"]:
            name = escape(row["name"]) + (f" <span class=\"muted\">[{escape(row['privateCreator'])}]"
                                          "</span>" if row["privateCreator"] else "")
            if values:
                name += _values_html(report, row["key"])
            rows.append([escape(row["tag"]), name, escape(row["keyword"]), escape(row["vr"]),
                         escape(row["action"]), str(row["files"]), str(row["emptyFiles"]),
                         str(row["distinct"])])
        parts.append(_table(head, rows, {5, 6, 7}))
    parts.append("<h2>Private creators</h2>")
    parts.append(_table(["Private creator", "Files", "Private elements"], [
        [escape(c["creator"]), str(c["files"]), str(c["elements"])]
        for c in data["privateCreators"]], {1, 2}) if data["privateCreators"] else "<p>None.</p>")
    parts.append("<h2>Files flagged for review of their pixels or sound</h2>")
    parts.append(_table(["Flag", "Why", "Files"], [
        [escape(f["label"]), escape(f["about"]),
         escape(", ".join(x["label"] for x in f["files"])) or "none"]
        for f in data["flags"]], set()))
    parts.append("<h2>Files</h2>")
    parts.append(_table(["File", "Name" if values else "Status", "Problem"], [
        [escape(f["label"]), escape(f["fileName"] if values else f["status"]),
         escape(_file_problem(f, values))] for f in files], set()))
    parts.append("<h2>Action codes (PS3.15 Table E.1-1)</h2>")
    parts.append(_table(["Code", "Meaning"], [
        [escape(c["code"]), escape(c["meaning"])] for c in data["legend"]], set()))
    parts.append("</body></html>\n")
    return "\n".join(parts)
