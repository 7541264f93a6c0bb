"""Report.to_markdown: the leadership report, byte-identical to `slakit evaluate --format markdown`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import slakit
from conftest import EXAMPLE_POLICY, EXAMPLE_RECORDS, ROOT


def test_to_markdown_is_byte_identical_to_the_cli(cli: Path) -> None:
    out = subprocess.run(
        [str(cli), "evaluate", "--policy", str(EXAMPLE_POLICY), "--records", str(EXAMPLE_RECORDS),
         "--format", "markdown"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
    )
    assert out.returncode == 0, out.stderr
    report = slakit.Policy.load(EXAMPLE_POLICY).evaluate(EXAMPLE_RECORDS)
    md = report.to_markdown()
    # The CLI adds a final newline when the text has none.
    assert (md if md.endswith("\n") else md + "\n") == out.stdout
    assert md.startswith("# SLA report: acme-release-sla")
    assert "edgecdn" in md
    assert report.to_markdown() == md


def test_the_dora_property_is_the_dora_section(example_policy: slakit.Policy) -> None:
    report = example_policy.evaluate(EXAMPLE_RECORDS)
    assert report.dora == report.to_dict()["dora"]
    assert report.dora["rows"], "the example has DORA rows"
