"""Policy versions and audit freezes (SPEC §9b) through the Python binding."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

import slakit

POLICY = """slakit: 1
name: versioned
slas:
  - id: lead
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 4h, objective: 90%}}
audit_freezes:
  - {id: year-end-audit, from: "2026-12-15T00:00:00Z", to: "2027-01-05T00:00:00Z"}
versions:
  - effective_from: "2026-03-15T00:00:00Z"
    approved_at: "APPROVED"
    slas:
      - id: lead
        clock: {start: merged, stop: succeeded}
        window: month
        targets: {default: {max: 2h, objective: 90%}}
"""


def records() -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for month in (3, 4):
        d = f"d{month}"
        out.append({"deployment": d, "event": "merged", "time": f"2026-{month:02}-20T10:00:00Z", "service": "api"})
        out.append({"deployment": d, "event": "succeeded", "time": f"2026-{month:02}-20T13:00:00Z"})
    return out


def test_rows_carry_the_version_that_judged_their_window() -> None:
    policy = slakit.Policy.from_yaml(POLICY.replace("APPROVED", "2026-03-01T00:00:00Z"))
    report = policy.evaluate(records(), as_of="2026-05-01T00:00:00Z")
    rows = {r["window"]["start"]: r for r in report.results}
    # March started before the version: the base 4h, met, no policy_version.
    march = rows["2026-03-01T00:00:00Z"]
    assert "policy_version" not in march
    assert (march["status"], march["target"]["max_ms"]) == ("met", 4 * 3_600_000)
    april = rows["2026-04-01T00:00:00Z"]
    assert april["policy_version"] == "2026-03-15T00:00:00Z"
    assert (april["status"], april["target"]["max_ms"]) == ("breached", 2 * 3_600_000)
    assert report.to_dict()["policy"]["version"] == "2026-03-15T00:00:00Z"


def test_a_version_approved_in_a_freeze_is_refused_with_its_code() -> None:
    with pytest.raises(slakit.PolicyError) as info:
        slakit.Policy.from_yaml(POLICY.replace("APPROVED", "2026-12-15T00:00:00Z"))
    e = info.value
    assert e.code == "E132"
    assert e.path == "/versions/0/approved_at"
    assert "year-end-audit" in e.message
    # Exactly at the freeze's end is allowed: [from, to).
    slakit.Policy.from_yaml(POLICY.replace("APPROVED", "2027-01-05T00:00:00Z"))
