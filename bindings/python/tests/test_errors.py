"""Errors: classes, codes and locations, the same as the CLI's."""

from __future__ import annotations

import json
import pickle
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List

import pytest

import slakit
from conftest import EXAMPLE_POLICY, EXAMPLE_RECORDS, ROOT

BAD_DURATION = """slakit: 1
name: bad
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 4 parsecs, objective: 90%}}
"""

GOOD = [
    {"deployment": "d1", "event": "merged", "time": "2026-03-02T10:00:00Z", "service": "checkout"},
    {"deployment": "d1", "event": "succeeded", "time": "2026-03-02T12:00:00Z"},
]


def test_hierarchy() -> None:
    assert issubclass(slakit.SlakitError, Exception)
    for cls in (slakit.PolicyError, slakit.RecordError, slakit.UsageError):
        assert issubclass(cls, slakit.SlakitError)
        assert issubclass(cls, ValueError)
    assert issubclass(slakit.InternalError, slakit.SlakitError)
    assert not issubclass(slakit.InternalError, ValueError)


def test_every_core_code_maps_to_its_class() -> None:
    classes = {
        "policy": slakit.PolicyError,
        "input": slakit.RecordError,
        "usage": slakit.UsageError,
    }
    table = slakit._slakit._error_classes()
    assert len(table) >= 30
    for code, kind, class_name in table:
        cls = getattr(slakit, class_name)
        if code == "E900":
            assert cls is slakit.InternalError
        else:
            assert cls is classes[kind], code
    docs = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = [code for code, _, _ in table if code not in docs]
    assert not missing, f"codes missing from docs/errors.md: {missing}"


def test_policy_error_attributes() -> None:
    with pytest.raises(slakit.PolicyError) as info:
        slakit.Policy.from_yaml(BAD_DURATION)
    e = info.value
    assert isinstance(e, ValueError)
    assert e.code == "E104"
    assert e.kind == "policy"
    assert "parsecs" in e.message
    assert e.path == "/slas/0/targets/default/max"
    assert e.file is None and e.record_index is None
    assert "[E104]" in str(e) and e.message in str(e)


def test_policy_syntax_error_has_line_and_column() -> None:
    with pytest.raises(slakit.PolicyError) as info:
        slakit.Policy.from_json('{"slakit": 1,\n  "name": }')
    e = info.value
    assert e.code == "E100"
    assert e.line == 2 and e.column is not None


def test_policy_file_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_DURATION, encoding="utf-8")
    with pytest.raises(slakit.PolicyError) as info:
        slakit.Policy.load(path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value)


def test_from_dict_with_a_value_json_cannot_hold() -> None:
    with pytest.raises(slakit.PolicyError) as info:
        slakit.Policy.from_dict({"slakit": 1, "name": {1, 2}})
    assert info.value.code == "E103"
    assert info.value.path == "/name"
    assert "set" in info.value.message


def test_record_error_from_dicts() -> None:
    records: List[Dict[str, Any]] = GOOD + [{"deployment": "d2", "event": "merged", "time": "yesterday"}]
    policy = slakit.Policy.load(EXAMPLE_POLICY)
    with pytest.raises(slakit.RecordError) as info:
        policy.evaluate(records)
    e = info.value
    assert isinstance(e, ValueError)
    assert (e.code, e.kind, e.record_index, e.path) == ("E203", "input", 2, "/time")
    assert "yesterday" in e.message
    assert e.line is None and e.file is None


def test_record_error_from_a_file_has_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    lines = [json.dumps(r) for r in GOOD]
    path.write_text(lines[0] + "\n\n" + lines[1] + "\n" + '{"deployment": "d3", "event"' + "\n")
    with pytest.raises(slakit.RecordError) as info:
        slakit.Policy.load(EXAMPLE_POLICY).evaluate(path)
    e = info.value
    assert (e.code, e.file, e.line, e.record_index) == ("E200", str(path), 4, 2)
    assert e.column is not None


def test_engine_error_about_a_file_record_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    rows = GOOD + [{"deployment": "d1", "event": "failed", "time": "2026-03-02T13:00:00Z",
                    "service": "search"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with pytest.raises(slakit.RecordError) as info:
        slakit.Policy.load(EXAMPLE_POLICY).evaluate(path)
    assert info.value.code == "E205"
    assert info.value.file == str(path)


def test_adv_39_naive_datetime_as_of_is_a_value_error() -> None:
    policy = slakit.Policy.load(EXAMPLE_POLICY)
    with pytest.raises(ValueError, match="naive") as info:
        policy.evaluate(GOOD, as_of=datetime(2026, 3, 31))
    assert isinstance(info.value, slakit.UsageError)
    assert info.value.code == "E300"


def test_naive_datetime_in_records_is_a_value_error() -> None:
    policy = slakit.Policy.load(EXAMPLE_POLICY)
    rows = [dict(GOOD[0]), dict(GOOD[1], time=datetime(2026, 3, 2, 12))]
    with pytest.raises(ValueError, match="naive") as info:
        policy.evaluate(rows)
    e = info.value
    assert isinstance(e, slakit.RecordError)
    assert (e.code, e.record_index, e.path) == ("E203", 1, "/time")


def test_naive_datetime_columns_are_value_errors() -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    policy = slakit.Policy.load(EXAMPLE_POLICY)
    df = pd.DataFrame(GOOD)
    df["time"] = pd.to_datetime(df["time"]).dt.tz_localize(None)
    with pytest.raises(ValueError, match="naive") as info:
        policy.evaluate(df)
    assert isinstance(info.value, slakit.RecordError)
    assert (info.value.code, info.value.record_index, info.value.path) == ("E203", 0, "/time")
    table = pa.Table.from_pandas(df, preserve_index=False)
    with pytest.raises(ValueError, match="naive") as info:
        policy.evaluate(table)
    assert (info.value.code, info.value.record_index) == ("E203", 0)
    obj = pd.DataFrame(GOOD)
    obj["time"] = pd.Series([datetime(2026, 3, 2, 10), datetime(2026, 3, 2, 12)], dtype=object)
    with pytest.raises(ValueError, match="naive"):
        policy.evaluate(obj)


def test_bad_as_of_text() -> None:
    with pytest.raises(slakit.UsageError) as info:
        slakit.Policy.load(EXAMPLE_POLICY).evaluate(GOOD, as_of="next tuesday")
    assert info.value.code == "E300"
    assert "next tuesday" in info.value.message


def test_no_as_of_and_no_event() -> None:
    with pytest.raises(slakit.UsageError) as info:
        slakit.Policy.load(EXAMPLE_POLICY).evaluate([])
    assert info.value.code == "E301"
    empty = slakit.Policy.load(EXAMPLE_POLICY).evaluate([], as_of="2026-03-01T00:00:00Z")
    assert empty.results == [] or all(r["status"] == "no_data" for r in empty.results)


def test_bad_path_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    policy = slakit.Policy.load(EXAMPLE_POLICY)
    with pytest.raises(slakit.UsageError) as info:
        policy.evaluate(missing)
    e = info.value
    assert (e.code, e.kind, e.file) == ("E302", "usage", str(missing))
    assert str(missing) in e.message and "no such file" in e.message
    with pytest.raises(slakit.UsageError) as info:
        slakit.Policy.load(tmp_path / "nope.yaml")
    assert info.value.code == "E302" and "nope.yaml" in str(info.value)
    with pytest.raises(slakit.UsageError, match="directory"):
        policy.evaluate(tmp_path)


def test_invalid_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(GOOD[0]).encode() + b"\n" + b'{"deployment": "caf\xe9"}\n')
    with pytest.raises(slakit.RecordError) as info:
        slakit.Policy.load(EXAMPLE_POLICY).evaluate(path)
    assert (info.value.code, info.value.line, info.value.file) == ("E200", 2, str(path))


def test_unknown_deployment_in_explain() -> None:
    with pytest.raises(slakit.UsageError) as info:
        slakit.Policy.load(EXAMPLE_POLICY).explain(EXAMPLE_RECORDS, "D-NOPE")
    assert info.value.code == "E304"


def test_unconvertible_record_values() -> None:
    policy = slakit.Policy.load(EXAMPLE_POLICY)
    rows: List[Any] = [dict(GOOD[0], attrs={"tags": {"a", "b"}})]
    with pytest.raises(slakit.RecordError) as info:
        policy.evaluate(rows)
    assert (info.value.code, info.value.record_index, info.value.path) == ("E202", 0, "/attrs/tags")
    with pytest.raises(slakit.RecordError) as info:
        policy.evaluate([GOOD[0], "not a record"])
    assert (info.value.code, info.value.record_index) == ("E200", 1)
    with pytest.raises(slakit.RecordError) as info:
        policy.evaluate([dict(GOOD[0], attrs={"x": float("inf")})])
    assert info.value.code == "E202"
    with pytest.raises(slakit.RecordError) as info:
        policy.evaluate([dict(GOOD[0], attrs={1: "x"})])
    assert "keys must be strings" in info.value.message


def run_cli(*args: str, cli: Path) -> Dict[str, Any]:
    out = subprocess.run([str(cli), *args, "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 2, out
    doc: Dict[str, Any] = json.loads(out.stdout)
    return doc


def test_error_documents_match_the_cli(cli: Path, tmp_path: Path) -> None:
    bad_policy = tmp_path / "bad.yaml"
    bad_policy.write_text(BAD_DURATION, encoding="utf-8")
    bad_records = tmp_path / "bad.jsonl"
    bad_records.write_text(json.dumps(GOOD[0]) + "\n" + '{"deployment": "d1", "event": "x"}\n')
    missing = tmp_path / "missing.jsonl"
    cases = [
        (["evaluate", "--policy", str(bad_policy), "--records", str(EXAMPLE_RECORDS)],
         lambda: slakit.Policy.load(bad_policy)),
        (["evaluate", "--policy", str(EXAMPLE_POLICY), "--records", str(bad_records)],
         lambda: slakit.Policy.load(EXAMPLE_POLICY).evaluate(bad_records)),
        (["evaluate", "--policy", str(EXAMPLE_POLICY), "--records", str(missing)],
         lambda: slakit.Policy.load(EXAMPLE_POLICY).evaluate(missing)),
    ]
    for args, call in cases:
        expected = run_cli(*args, cli=cli)
        with pytest.raises(slakit.SlakitError) as info:
            call()
        assert info.value.to_dict() == expected, args


def test_errors_pickle() -> None:
    with pytest.raises(slakit.PolicyError) as info:
        slakit.Policy.from_yaml(BAD_DURATION)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is slakit.PolicyError
    assert (copy.code, copy.message, copy.path, str(copy)) == (
        info.value.code, info.value.message, info.value.path, str(info.value))
