#!/usr/bin/env python3
"""Check a dashboard as headless Chromium rendered it (Python standard library only).

    check_dashboard.py --report report.json --dom dom.html --png screenshot.png

- the screenshot is not blank: enough non-white pixels, and some of them in
  the status colours (the page drew its badges and charts, not just text);
- the DOM Chromium built (`--dump-dom`) holds every SLA id of the report, a
  tile and a chart section per SLA, one breach row per breach (up to the
  page's 200-row cap, with the note about the rest beyond it), and, when the
  report has vendors, one row per vendor month and the credits due.

Exit status 0 when every check passes, 1 otherwise (each failure printed).
"""

import argparse
import json
import re
import struct
import sys
import zlib
from html.parser import HTMLParser

ROW_CAP = 200


def read_png(path):
    """(width, height, channels, rows of bytes) of an 8-bit RGB/RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, width = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour {colour}, interlace {interlace})")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if width is None:
        raise ValueError(f"{path}: no IHDR")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif kind != 0:
            raise ValueError(f"{path}: bad filter {kind} on row {y}")
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


# The status colours of the page's CSS (Okabe-Ito), matched loosely.
STATUS_COLOURS = {"met": (0x00, 0x9E, 0x73), "at_risk": (0xE6, 0x9F, 0x00), "breached": (0xD5, 0x5E, 0x00)}


def pixel_stats(rows, channels):
    total = non_white = 0
    coloured = {name: 0 for name in STATUS_COLOURS}
    for row in rows:
        for i in range(0, len(row), channels):
            r, g, b = row[i], row[i + 1], row[i + 2]
            total += 1
            if r < 245 or g < 245 or b < 245:
                non_white += 1
                for name, (cr, cg, cb) in STATUS_COLOURS.items():
                    if abs(r - cr) < 40 and abs(g - cg) < 40 and abs(b - cb) < 40:
                        coloured[name] += 1
    return total, non_white, coloured


class Dom(HTMLParser):
    """Collect the data-* attributes and the text of the rendered page."""

    def __init__(self):
        super().__init__()
        self.tiles, self.sections, self.breaches, self.svgs = [], [], [], 0
        self.vendor_rows, self.vendor_section = [], False
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "article" and "tile" in classes:
            self.tiles.append(a.get("data-sla"))
        if tag == "section" and "sla" in classes:
            self.sections.append(a.get("data-sla"))
        if tag == "tr" and "breach" in classes:
            self.breaches.append(a.get("data-breach"))
        if tag == "svg":
            self.svgs += 1
        if tag == "section" and a.get("id") == "vendors":
            self.vendor_section = True
        if tag == "tr" and "data-vendor" in a:
            self.vendor_rows.append(a.get("data-vendor"))

    def handle_data(self, data):
        self.text.append(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", required=True, help="the JSON report the page was made from")
    ap.add_argument("--dom", required=True, help="chromium --dump-dom output")
    ap.add_argument("--png", required=True, help="chromium --screenshot output")
    args = ap.parse_args()
    failures = []

    report = json.load(open(args.report, encoding="utf-8"))
    slas = list(dict.fromkeys(r["sla"] for r in report["results"]))
    breaches = [b["id"] for r in report["results"] for b in r["breaches"]]

    dom = Dom()
    dom.feed(open(args.dom, encoding="utf-8").read())
    text = " ".join(dom.text)
    for sla in slas:
        if sla not in dom.tiles:
            failures.append(f"no summary tile for SLA `{sla}`")
        if sla not in dom.sections:
            failures.append(f"no section for SLA `{sla}`")
    shown = min(len(breaches), ROW_CAP)
    if len(dom.breaches) != shown:
        failures.append(f"{len(dom.breaches)} breach rows in the DOM, expected {shown}")
    unknown = [b for b in dom.breaches if b not in set(breaches)]
    if unknown:
        failures.append(f"breach rows not in the report: {unknown[:5]}")
    if len(breaches) <= ROW_CAP:
        missing = [b for b in breaches if b not in set(dom.breaches)]
        if missing:
            failures.append(f"breaches missing from the DOM: {missing[:5]}")
    elif not re.search(rf"Showing the worst {ROW_CAP} of {len(breaches)} breaches", text):
        failures.append("more breaches than the cap, and no note saying so")
    vendor_rows = [v["vendor"] for v in report.get("vendors", [])]
    if vendor_rows and not dom.vendor_section:
        failures.append("the report has vendors, the page no vendor section")
    if dom.vendor_rows != vendor_rows[:ROW_CAP]:
        failures.append(f"vendor rows {dom.vendor_rows[:5]} in the DOM, expected {vendor_rows[:5]} ({len(vendor_rows)} in all)")
    due = [v for v in report.get("vendors", []) if v["credit"] > 0]
    if due and "owes a credit" not in text:
        failures.append("credits are due and the page does not say so")
    if dom.svgs < len(slas):
        failures.append(f"only {dom.svgs} charts for {len(slas)} SLAs")

    width, height, channels, rows = read_png(args.png)
    total, non_white, coloured = pixel_stats(rows, channels)
    share = non_white / total if total else 0.0
    if share < 0.03:
        failures.append(f"the screenshot is blank: {share:.2%} non-white pixels")
    for name, n in coloured.items():
        statuses = {r["status"] for r in report["results"]}
        if name in statuses and n < 20:
            failures.append(f"the screenshot has no `{name}` colour ({n} pixels), yet the report has such rows")

    print(f"dom: {len(dom.tiles)} tiles and {len(dom.sections)} SLA sections for {len(slas)} SLAs, {len(dom.breaches)} breach rows of {len(breaches)}, {len(dom.vendor_rows)} vendor months, {dom.svgs} SVG charts")
    print(f"screenshot: {width}x{height}, {share:.1%} non-white, status colours {coloured}")
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
