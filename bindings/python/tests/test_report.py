"""The report: byte-identical to the CLI, its sections, to_dict, to_pandas,
check and explain."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

import slakit
from conftest import EXAMPLE_POLICY, EXAMPLE_RECORDS, ROOT


def run_cli(cli: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [str(cli), *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8"
    )


def test_example_report_is_byte_identical_to_the_cli(cli: Path) -> None:
    out = run_cli(
        cli, "evaluate", "--policy", str(EXAMPLE_POLICY), "--records", str(EXAMPLE_RECORDS),
        "--format", "json",
    )
    assert out.returncode == 0, out.stderr
    report = slakit.Policy.load(EXAMPLE_POLICY).evaluate(EXAMPLE_RECORDS)
    assert report.to_json() + "\n" == out.stdout
    assert not report.to_json().endswith("\n")


def test_byte_identical_with_an_explicit_as_of(cli: Path) -> None:
    out = run_cli(
        cli, "evaluate", "--policy", str(EXAMPLE_POLICY), "--records", str(EXAMPLE_RECORDS),
        "--format", "json", "--as-of", "2026-02-15T12:00:00+01:00",
    )
    assert out.returncode == 0, out.stderr
    policy = slakit.Policy.load(EXAMPLE_POLICY)
    assert policy.evaluate(EXAMPLE_RECORDS, as_of="2026-02-15T12:00:00+01:00").to_json() + "\n" == out.stdout


def test_explain_matches_the_cli(cli: Path, example_policy: slakit.Policy) -> None:
    out = run_cli(
        cli, "explain", "--policy", str(EXAMPLE_POLICY), "--records", str(EXAMPLE_RECORDS),
        "--deployment", "D-1271", "--format", "json",
    )
    assert out.returncode == 0, out.stderr
    explanation = example_policy.explain(EXAMPLE_RECORDS, "D-1271")
    assert explanation == json.loads(out.stdout)
    assert explanation["deployment"] == "D-1271"
    assert [s["sla"] for s in explanation["slas"]] == example_policy.slas


def test_check_matches_the_cli(cli: Path, example_policy: slakit.Policy) -> None:
    out = run_cli(cli, "check", "--policy", str(EXAMPLE_POLICY), "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert example_policy.check() == doc["warnings"]
    assert example_policy.slas == doc["slas"]
    assert example_policy.name == doc["policy"]["name"]
    assert example_policy.digest == doc["policy"]["digest"]


def test_check_returns_warnings() -> None:
    policy = slakit.Policy.from_yaml(
        """
slakit: 1
name: lint
exceptions:
  - id: freeze
    from: 2026-01-01T00:00:00Z
    to: 2026-02-01T00:00:00Z
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 4h, objective: 90%}}
"""
    )
    warnings = policy.check()
    assert isinstance(warnings, list)
    assert all(set(w) == {"code", "message"} and w["code"].startswith("W") for w in warnings)


def test_to_dict_is_the_json_document_in_order(example_policy: slakit.Policy) -> None:
    report = example_policy.evaluate(EXAMPLE_RECORDS)
    d = report.to_dict()
    assert d == json.loads(report.to_json())
    assert list(d) == [
        "engine", "as_of", "policy", "inputs", "deployments", "results", "vendors", "dora",
        "findings", "in_force", "warnings",
    ]
    assert json.dumps(d, indent=2, ensure_ascii=False) == report.to_json()
    assert d is not report.to_dict()  # a new dict every call


def test_sections(example_policy: slakit.Policy) -> None:
    report = example_policy.evaluate(EXAMPLE_RECORDS)
    d = report.to_dict()
    assert report.results == d["results"]
    assert report.deployments == d["deployments"]
    assert report.vendors == d["vendors"]
    assert report.findings == d["findings"]
    assert report.warnings == d["warnings"]
    assert report.in_force == d["in_force"]
    assert report.inputs == d["inputs"]
    assert report.as_of == d["as_of"] == "2026-03-31T20:45:00Z"
    assert report.has_breach == any(r["status"] == "breached" for r in d["results"])
    assert isinstance(report.results, list) and isinstance(report.results[0], dict)
    assert "breached" in repr(report)


def test_the_report_carries_the_dora_summary(example_policy: slakit.Policy) -> None:
    dora = example_policy.evaluate(EXAMPLE_RECORDS).to_dict()["dora"]
    org = [r for r in dora["rows"] if r["segment"]["by"] == "all"]
    assert [r["window"]["label"] for r in org] == ["2026-01", "2026-02", "2026-03"]
    assert org[0]["deployment_frequency"]["count"] == 93
    assert dora["segments"] == ["all", "service", "team", "release_type"]


def test_to_pandas(example_policy: slakit.Policy) -> None:
    pd = pytest.importorskip("pandas")
    report = example_policy.evaluate(EXAMPLE_RECORDS)
    df = report.to_pandas()
    assert len(df) == len(report.results)
    assert list(df["sla"]) == [r["sla"] for r in report.results]
    assert list(df["status"]) == [r["status"] for r in report.results]
    assert isinstance(df["window.start"].dtype, pd.DatetimeTZDtype)
    first = report.results[0]["window"]["start"]
    assert df["window.start"].iloc[0] == pd.Timestamp(first)


def test_policy_constructors_agree() -> None:
    yaml_text = EXAMPLE_POLICY.read_text(encoding="utf-8")
    a = slakit.Policy.from_yaml(yaml_text)
    b = slakit.Policy.from_text(yaml_text)
    c = slakit.Policy.load(EXAMPLE_POLICY)
    d = slakit.Policy.load(str(EXAMPLE_POLICY))
    assert a.digest == b.digest == c.digest == d.digest
    doc: Dict[str, Any] = {
        "slakit": 1,
        "name": "json",
        "slas": [
            {
                "id": "lead-time",
                "clock": {"start": "merged", "stop": "succeeded"},
                "window": "month",
                "targets": {"default": {"max": "4h", "objective": "90%"}},
            }
        ],
    }
    e = slakit.Policy.from_dict(doc)
    f = slakit.Policy.from_json(json.dumps(doc))
    g = slakit.Policy.from_text(json.dumps(doc))
    assert e.digest == f.digest == g.digest
    assert e.slas == ["lead-time"] and e.name == "json"
    with pytest.raises(TypeError):
        slakit.Policy()  # type: ignore[call-arg]


def test_version() -> None:
    assert isinstance(slakit.__version__, str)
    doc = json.loads(
        slakit.Policy.load(EXAMPLE_POLICY).evaluate(EXAMPLE_RECORDS).to_json()
    )
    assert doc["engine"] == {"name": "slakit", "version": slakit.__version__}


def test_public_names() -> None:
    for name in slakit.__all__:
        assert hasattr(slakit, name), name
    expected: List[str] = [
        "Policy", "Report", "Records", "SlakitError", "PolicyError", "RecordError",
        "UsageError", "InternalError", "__version__",
    ]
    assert set(expected) <= set(slakit.__all__)


def test_policy_pickles(example_policy: slakit.Policy) -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(example_policy))
    assert isinstance(copy, slakit.Policy)
    yaml_text = EXAMPLE_POLICY.read_text(encoding="utf-8")
    for policy in (slakit.Policy.from_yaml(yaml_text), slakit.Policy.from_dict(
            {"slakit": 1, "name": "p", "slas": []})):
        assert pickle.loads(pickle.dumps(policy)).digest == policy.digest
    assert copy.digest == example_policy.digest
    assert copy.evaluate(EXAMPLE_RECORDS).to_json() == example_policy.evaluate(EXAMPLE_RECORDS).to_json()


def test_pandas_and_pyarrow_are_imported_lazily() -> None:
    import subprocess
    import sys

    code = (
        "import sys, slakit\n"
        "p = slakit.Policy.load(sys.argv[1])\n"
        "p.evaluate(sys.argv[2]).to_dict()\n"
        "p.evaluate([{'deployment': 'd', 'event': 'merged', 'time': '2026-03-01T00:00:00Z',"
        " 'service': 's'}])\n"
        "assert 'pandas' not in sys.modules and 'pyarrow' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(EXAMPLE_POLICY), str(EXAMPLE_RECORDS)],
                   check=True)
