"""Report.to_html: the dashboard, byte-identical to `slakit evaluate --format html`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import slakit
from conftest import EXAMPLE_POLICY, EXAMPLE_RECORDS, ROOT


def test_to_html_is_byte_identical_to_the_cli(cli: Path) -> None:
    out = subprocess.run(
        [str(cli), "evaluate", "--policy", str(EXAMPLE_POLICY), "--records", str(EXAMPLE_RECORDS),
         "--format", "html"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
    )
    assert out.returncode == 0, out.stderr
    report = slakit.Policy.load(EXAMPLE_POLICY).evaluate(EXAMPLE_RECORDS)
    html = report.to_html()
    assert html + "\n" == out.stdout
    assert html.startswith("<!DOCTYPE html>")
    for sla in report.to_dict()["results"]:
        assert f'data-sla="{sla["sla"]}"' in html
    # Deterministic: the same report, the same bytes.
    assert report.to_html() == html


def test_a_service_named_like_a_script_stays_text() -> None:
    policy = slakit.Policy.from_yaml(
        "slakit: 1\nname: demo\nslas:\n  - id: lead-time\n    clock: {start: merged, stop: succeeded}\n"
        "    window: month\n    group_by: [service]\n    targets: {default: {max: 1h, objective: 90%}}\n"
    )
    evil = "<script>alert(1)</script>"
    report = policy.evaluate(
        [
            {"deployment": "d1", "event": "merged", "time": "2026-03-02T10:00:00Z", "service": evil},
            {"deployment": "d1", "event": "succeeded", "time": "2026-03-02T14:00:00Z"},
        ],
        as_of="2026-03-04T00:00:00Z",
    )
    assert report.has_breach
    html = report.to_html()
    assert "<script" not in html
    assert "&#60;script&#62;alert(1)&#60;/script&#62;" in html or "&lt;script&gt;alert(1)&lt;/script&gt;" in html
