"""slakit.baseline / Policy.baseline: suggested targets from history, the
same bytes as `slakit baseline`, and their errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import slakit
from conftest import EXAMPLE_POLICY, EXAMPLE_RECORDS

AS_OF = "2026-03-31T20:45:00Z"


def test_policy_baseline_is_the_cli_yaml_and_json(cli: Path) -> None:
    policy = slakit.Policy.load(EXAMPLE_POLICY)
    b = policy.baseline(EXAMPLE_RECORDS, as_of=AS_OF)
    args = [str(cli), "baseline", "--policy", str(EXAMPLE_POLICY), "--records", str(EXAMPLE_RECORDS), "--as-of", AS_OF]
    yaml_out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    json_out = subprocess.run(args + ["--format", "json"], check=True, capture_output=True, text=True).stdout
    assert b.to_yaml() == yaml_out  # the YAML snippet already ends with a newline
    assert b.to_json() + "\n" == json_out
    assert [s["sla"] for s in b.slas] == policy.slas
    tier1 = b.slas[0]["tiers"][0]
    assert tier1["tier"] == "tier1"
    assert tier1["suggestion"]["percentile"] == "p90"
    assert b.to_dict()["method"] == "nearest-rank"


def test_fed_back_suggestion_reproduces_the_stated_compliance() -> None:
    records = [
        {"deployment": f"d{i}", "event": e, "time": t, "service": "api"}
        for i, minutes in enumerate([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
        for e, t in [("merged", "2026-03-02T00:00:00Z"), ("succeeded", f"2026-03-02T{minutes // 60:02}:{minutes % 60:02}:00Z")]
    ]
    policy_text = "slakit: 1\nslas:\n  - {id: lt, clock: {start: merged, stop: succeeded}, window: month, targets: {default: {max: 1h, objective: 80%}}}\n"
    b = slakit.Policy.from_yaml(policy_text).baseline(records, as_of="2026-03-20T00:00:00Z")
    s = b.slas[0]["tiers"][0]["suggestion"]
    assert s["target"] == {"max": "1h20m", "objective": "80%"}
    assert (s["compliance"]["met"], s["compliance"]["of"]) == (8, 10)
    fed = slakit.Policy.from_yaml(
        "slakit: 1\nslas:\n  - {id: lt, clock: {start: merged, stop: succeeded}, window: month, targets: {default: {max: 1h20m, objective: 80%}}}\n"
    )
    row = fed.evaluate(records, as_of="2026-03-20T00:00:00Z").results[0]
    assert (row["met"], row["measured"]) == (8, 10)


def test_default_policy_is_a_complete_policy() -> None:
    b = slakit.baseline(EXAMPLE_RECORDS, as_of=AS_OF)
    assert b.to_dict()["policy"]["default"] is True
    again = slakit.Policy.from_yaml(b.to_yaml())
    assert "lead-time" in again.slas


def test_empty_history_needs_an_as_of() -> None:
    with pytest.raises(slakit.UsageError) as e:
        slakit.baseline([])
    assert e.value.code == "E301"
    b = slakit.baseline([], as_of=AS_OF)
    assert b.to_dict()["inputs"]["deployments"] == 0
    assert "the history holds no deployment" in b.to_yaml()


def test_bad_records_are_record_errors() -> None:
    with pytest.raises(slakit.RecordError) as e:
        slakit.baseline([{"deployment": "d", "event": "merged", "time": "2026-03-02T00:00:00"}])
    assert e.value.code == "E203"


def test_a_baseline_is_not_built_by_hand() -> None:
    with pytest.raises(TypeError):
        slakit.Baseline()
