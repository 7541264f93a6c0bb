"""Policy.gate: allow and deny, the Decision object, byte-identical to
`slakit gate --format json`, and its errors."""

from __future__ import annotations

import json
import subprocess
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import pytest

import slakit
from conftest import ROOT

POLICY = """
slakit: 1
name: gates
timezone: Europe/Berlin
tiers: [tier1, tier2]
services:
  checkout: {tier: tier1, team: payments}
  search: {tier: tier2, team: discovery}
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 4h, objective: 90%}}
gates:
  blackouts:
    - {id: freeze, reason: year-end freeze, from: "2026-12-18T17:00:00+01:00", to: "2027-01-04T09:00:00+01:00"}
  require_canary: [tier1]
"""

RECORDS: List[Dict[str, Any]] = [
    {"deployment": "d1", "event": "merged", "time": "2026-12-01T10:00:00Z", "service": "checkout"},
    {"deployment": "d1", "event": "succeeded", "time": "2026-12-01T11:00:00Z"},
    {"deployment": "d2", "event": "canary_passed", "time": "2026-12-10T09:00:00Z",
     "service": "checkout"},
    {"deployment": "d3", "event": "canary_failed", "time": "2026-12-10T09:30:00Z",
     "service": "checkout"},
]

BEFORE_FREEZE = datetime(2026, 12, 10, 12, tzinfo=timezone.utc)
IN_FREEZE = "2026-12-20T12:00:00+01:00"

# Every gate at once: breaker and error budget read the evaluation, and an
# emergency approval turns the denials into findings.
FULL_POLICY = """
slakit: 1
name: full-gates
timezone: America/New_York
calendars:
  deploy-window: {hours: {mon-thu: ["09:00-16:00"], fri: ["09:00-12:00"]}}
services:
  checkout: {tier: tier1, team: payments}
  payments-api: {tier: tier1, team: payments}
tiers: [tier1, tier2]
slas:
  - id: lead-time
    scope: {environments: [production], release_types: {exempt: [emergency]}}
    clock: {start: merged, stop: succeeded}
    window: month
    group_by: [service]
    targets: {tier1: {max: 2h, objective: 90%}, default: {max: 24h, objective: 80%}}
gates:
  blackouts:
    - {id: quarter-close, reason: quarter close, quarterly_last_days: 3, tiers: [tier1]}
  deploy_hours: {calendar: deploy-window, tiers: [tier1]}
  require_canary: [tier1]
  circuit_breaker: {max_breached: 2, scope: team}
  error_budget: deny_when_exhausted
"""

FULL_RECORDS: List[Dict[str, Any]] = [
    {"deployment": "p1", "event": "merged", "time": "2026-06-02T09:00:00-04:00",
     "service": "checkout", "environment": "production", "release_type": "minor"},
    {"deployment": "p1", "event": "succeeded", "time": "2026-06-02T15:00:00-04:00"},
    {"deployment": "p2", "event": "merged", "time": "2026-06-09T09:00:00-04:00",
     "service": "payments-api", "environment": "production", "release_type": "minor"},
    {"deployment": "p2", "event": "succeeded", "time": "2026-06-09T14:00:00-04:00"},
    {"kind": "exception", "id": "CHG-1", "deployments": ["p9"],
     "from": "2026-06-29T17:00:00-04:00", "to": "2026-06-29T19:00:00-04:00",
     "emergency": True, "approved_by": "incident-commander@example.com"},
]


@pytest.fixture(scope="module")
def policy() -> slakit.Policy:
    return slakit.Policy.from_yaml(POLICY)


def test_allow(policy: slakit.Policy) -> None:
    decision = policy.gate(RECORDS, {"deployment": "d2", "service": "checkout"}, BEFORE_FREEZE)
    assert isinstance(decision, slakit.Decision)
    assert decision.allowed is True
    assert decision.decision == "allow"
    assert decision.reasons == [] and decision.findings == []
    assert decision.deployment == "d2"
    assert decision.at == "2026-12-10T12:00:00Z"
    assert decision.tier == "tier1"
    assert decision.policy == {"name": policy.name, "digest": policy.digest}
    assert repr(decision) == "<slakit.Decision allow 'd2' at 2026-12-10T12:00:00Z: 0 reasons>"


def test_deny_names_every_gate(policy: slakit.Policy) -> None:
    decision = policy.gate(RECORDS, {"deployment": "d3", "service": "checkout"}, IN_FREEZE)
    assert decision.allowed is False
    assert decision.decision == "deny"
    assert decision.at == "2026-12-20T11:00:00Z"
    assert [(r["gate"], r["id"]) for r in decision.reasons] == [
        ("blackout", "freeze"), ("require_canary", "tier1"),
    ]
    assert "year-end freeze" in decision.reasons[0]["message"]
    assert "canary_failed" in decision.reasons[1]["message"]
    assert "2 reasons" in repr(decision)


def test_the_gates_follow_the_tier_and_the_instant(policy: slakit.Policy) -> None:
    # Tier 2 needs no canary; the freeze applies to every tier.
    search = {"deployment": "s1", "service": "search"}
    assert policy.gate(RECORDS, search, BEFORE_FREEZE).allowed
    denied = policy.gate(RECORDS, search, IN_FREEZE)
    assert [r["gate"] for r in denied.reasons] == ["blackout"]
    # A canary that passes after `at` has not happened yet.
    early = policy.gate(RECORDS, {"deployment": "d2", "service": "checkout"},
                        BEFORE_FREEZE - timedelta(days=1))
    assert [r["gate"] for r in early.reasons] == ["require_canary"]
    # The freeze ends at `to` (exclusive).
    after = policy.gate(RECORDS, search, "2027-01-04T08:00:00Z")
    assert after.allowed


def test_emergency_override_becomes_findings() -> None:
    policy = slakit.Policy.from_yaml(FULL_POLICY)
    proposed = {"deployment": "p9", "service": "checkout", "environment": "production",
                "release_type": "emergency"}
    at = "2026-06-29T17:30:00-04:00"
    decision = policy.gate(FULL_RECORDS, proposed, at)
    assert decision.allowed and decision.reasons == []
    gates = [f["gate"] for f in decision.findings]
    # No error_budget: the lead-time SLA exempts emergency releases.
    assert gates == ["blackout", "deploy_hours", "require_canary", "circuit_breaker"]
    assert all(f["kind"] == "emergency_override" for f in decision.findings)
    assert all(f["exception"] == "CHG-1" and f["deployment"] == "p9" for f in decision.findings)
    assert decision.findings[3]["evidence"] == ["lead-time/p1", "lead-time/p2"]
    # Without the approval (another deployment id) the same gates deny.
    other = policy.gate(FULL_RECORDS, dict(proposed, deployment="p10"), at)
    assert not other.allowed
    assert [r["gate"] for r in other.reasons] == gates
    assert other.findings == []


def test_to_json_and_to_dict(policy: slakit.Policy) -> None:
    decision = policy.gate(RECORDS, {"deployment": "d3", "service": "checkout"}, IN_FREEZE)
    text = decision.to_json()
    assert not text.endswith("\n")
    d = decision.to_dict()
    assert d == json.loads(text)
    assert list(d) == ["decision", "deployment", "at", "tier", "reasons", "findings", "policy"]
    assert json.dumps(d, indent=2, ensure_ascii=False) == text
    assert d is not decision.to_dict()  # a new dict every call
    assert decision.reasons == d["reasons"] and decision.findings == d["findings"]


def test_proposed_forms_agree(policy: slakit.Policy) -> None:
    base = {"deployment": "d3", "service": "checkout", "environment": "production"}
    expected = policy.gate(RECORDS, base, IN_FREEZE).to_json()
    forms: List[Any] = [
        json.dumps(base),
        types.MappingProxyType(base),                     # any Mapping
        dict(base, team=None, release_type=None),         # None is absent
        dict(base, event="started", time="2026-12-20T10:00:00Z"),  # ignored, as in the CLI
    ]
    for form in forms:
        assert policy.gate(RECORDS, form, IN_FREEZE).to_json() == expected, form


def test_records_and_at_forms_agree(policy: slakit.Policy, tmp_path: Path) -> None:
    proposed = {"deployment": "d2", "service": "checkout"}
    expected = policy.gate(RECORDS, proposed, BEFORE_FREEZE).to_json()
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    berlin = BEFORE_FREEZE.astimezone(timezone(timedelta(hours=1)))
    for records in (RECORDS, path, str(path), slakit.Records(RECORDS)):
        for at in (BEFORE_FREEZE, berlin, "2026-12-10T12:00:00Z", "2026-12-10T13:00:00+01:00"):
            assert policy.gate(records, proposed, at).to_json() == expected, (records, at)


def test_no_history_is_fine(policy: slakit.Policy) -> None:
    decision = policy.gate([], {"deployment": "s1", "service": "search"}, BEFORE_FREEZE)
    assert decision.allowed


def test_a_policy_without_gates_allows_everything() -> None:
    policy = slakit.Policy.load(ROOT / "examples" / "policy.yaml")
    decision = policy.gate(ROOT / "examples" / "records.jsonl", {"deployment": "x"},
                           datetime(2026, 3, 31, tzinfo=timezone.utc))
    assert decision.allowed and decision.reasons == []


def test_a_decision_has_no_truth_value(policy: slakit.Policy) -> None:
    decision = policy.gate(RECORDS, {"deployment": "d3", "service": "checkout"}, IN_FREEZE)
    with pytest.raises(TypeError, match="allowed"):
        bool(decision)
    with pytest.raises(TypeError):
        slakit.Decision()


# --- parity with `slakit gate --format json` ---------------------------------

CLI_CASES = [
    ("allow", POLICY, RECORDS, {"deployment": "d2", "service": "checkout"},
     "2026-12-10T12:00:00Z", 0),
    ("deny", POLICY, RECORDS, {"deployment": "d3", "service": "checkout"}, IN_FREEZE, 1),
    ("no-canary", POLICY, RECORDS, {"deployment": "d4", "service": "checkout"},
     "2026-12-10T12:00:00Z", 1),
    ("emergency", FULL_POLICY, FULL_RECORDS,
     {"deployment": "p9", "service": "checkout", "environment": "production",
      "release_type": "emergency"}, "2026-06-29T17:30:00-04:00", 0),
    ("breaker", FULL_POLICY, FULL_RECORDS,
     {"deployment": "p10", "service": "payments-api", "environment": "production"},
     "2026-06-17T10:00:00-04:00", 1),
]


@pytest.mark.parametrize(
    "policy_text, records, proposed, at, status",
    [c[1:] for c in CLI_CASES],
    ids=[c[0] for c in CLI_CASES],
)
def test_byte_identical_to_the_cli(
    cli: Path,
    tmp_path: Path,
    policy_text: str,
    records: List[Dict[str, Any]],
    proposed: Dict[str, str],
    at: str,
    status: int,
) -> None:
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(policy_text, encoding="utf-8")
    records_path = tmp_path / "history.jsonl"
    records_path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = subprocess.run(
        [str(cli), "gate", "--policy", str(policy_path), "--records", str(records_path),
         "--deployment", json.dumps(proposed), "--at", at, "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
    )
    assert out.returncode == status, out.stderr
    policy = slakit.Policy.load(policy_path)
    for given in (records, records_path):
        decision = policy.gate(given, proposed, at)
        assert decision.to_json() + "\n" == out.stdout
        assert decision.allowed == (status == 0)


# --- errors ------------------------------------------------------------------

def test_proposed_without_deployment_is_e201(policy: slakit.Policy, tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    for records in (RECORDS, path):
        with pytest.raises(slakit.RecordError) as info:
            policy.gate(records, {"service": "checkout"}, IN_FREEZE)
        e = info.value
        assert isinstance(e, ValueError)
        assert (e.code, e.kind, e.path) == ("E201", "input", "/deployment")
        # About the proposed deployment, not the records file.
        assert e.file is None and e.record_index is None


def test_error_document_matches_the_cli(cli: Path, tmp_path: Path) -> None:
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(POLICY, encoding="utf-8")
    records_path = tmp_path / "history.jsonl"
    records_path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    policy = slakit.Policy.load(policy_path)
    for proposed in ('{"service": "checkout"}', '{"deployment": "d1", "servce": "x"}',
                     '{"deployment": 1}', "{not json", "[]"):
        out = subprocess.run(
            [str(cli), "gate", "--policy", str(policy_path), "--records", str(records_path),
             "--deployment", proposed, "--at", IN_FREEZE, "--format", "json"],
            cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
        )
        assert out.returncode == 2, out
        with pytest.raises(slakit.RecordError) as info:
            policy.gate(records_path, proposed, IN_FREEZE)
        assert info.value.to_dict() == json.loads(out.stdout), proposed


@pytest.mark.parametrize(
    "proposed, code, path",
    [
        ({"deployment": ""}, "E201", "/deployment"),
        ({"deployment": None, "service": "checkout"}, "E201", "/deployment"),
        ({"deployment": "d1", "servce": "checkout"}, "E202", "/servce"),
        ({"deployment": "d1", "service": 7}, "E202", "/service"),
        ({"deployment": "d1", "team": {"payments"}}, "E202", "/team"),
        ({"deployment": "d1", "team": datetime(2026, 1, 1)}, "E203", "/team"),
        ('{"deployment": "d1"', "E200", None),
        ('["d1"]', "E202", None),
    ],
    ids=["empty", "null", "unknown-field", "not-a-string", "no-json-form", "naive-datetime",
         "bad-json", "not-an-object"],
)
def test_bad_proposed(
    policy: slakit.Policy, proposed: Union[Dict[str, Any], str], code: str, path: Optional[str]
) -> None:
    with pytest.raises(slakit.RecordError) as info:
        policy.gate(RECORDS, proposed, IN_FREEZE)
    assert (info.value.code, info.value.path) == (code, path)
    assert "proposed deployment" in info.value.message


@pytest.mark.parametrize("proposed", [["d1"], b'{"deployment": "d1"}', 7, None])
def test_proposed_of_the_wrong_type_is_a_type_error(policy: slakit.Policy, proposed: Any) -> None:
    with pytest.raises(TypeError, match="proposed must be a dict"):
        policy.gate(RECORDS, proposed, IN_FREEZE)


def test_naive_at_is_a_value_error(policy: slakit.Policy) -> None:
    with pytest.raises(ValueError, match="naive") as info:
        policy.gate(RECORDS, {"deployment": "d2"}, datetime(2026, 12, 10, 12))
    assert isinstance(info.value, slakit.UsageError)
    assert info.value.code == "E300"
    assert info.value.message.startswith("invalid at:")


@pytest.mark.parametrize("at", ["2026-12-10", "2026-12-10T12:00:00", "not an instant", ""])
def test_bad_at_text(policy: slakit.Policy, at: str) -> None:
    with pytest.raises(slakit.UsageError) as info:
        policy.gate(RECORDS, {"deployment": "d2"}, at)
    assert info.value.code == "E300"
    assert info.value.message.startswith("invalid at:")


def test_at_is_required_and_never_now(policy: slakit.Policy) -> None:
    with pytest.raises(slakit.UsageError, match=r"datetime\.now\(timezone\.utc\)") as info:
        policy.gate(RECORDS, {"deployment": "d2"}, "now")
    assert info.value.code == "E300"
    with pytest.raises(TypeError, match=r"at is required.*datetime\.now\(timezone\.utc\)"):
        policy.gate(RECORDS, {"deployment": "d2"}, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="at must be an aware datetime"):
        policy.gate(RECORDS, {"deployment": "d2"}, 1_765_000_000)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        policy.gate(RECORDS, {"deployment": "d2"})  # type: ignore[call-arg]
    # What the docs tell callers to pass.
    assert policy.gate(RECORDS, {"deployment": "s1", "service": "search"},
                       datetime.now(timezone.utc)).decision in ("allow", "deny")


def test_the_at_check_comes_before_the_proposed_check(policy: slakit.Policy) -> None:
    # As in the CLI, which reads --at with the inputs, then the deployment.
    with pytest.raises(slakit.UsageError):
        policy.gate(RECORDS, {"service": "checkout"}, "bad")


def test_bad_records_are_record_errors(policy: slakit.Policy) -> None:
    with pytest.raises(slakit.RecordError) as info:
        policy.gate([{"deployment": "d1", "event": "merged", "time": "yesterday"}],
                    {"deployment": "d1"}, IN_FREEZE)
    assert (info.value.code, info.value.record_index, info.value.path) == ("E203", 0, "/time")
