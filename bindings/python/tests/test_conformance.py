"""Every conformance vector (tests/conformance/) through the Python API:
the policy as a dict, the records as dicts, as_of as RFC 3339 text. One
test id per vector file; a failure lists every difference."""

from __future__ import annotations

import copy
from typing import Any, Dict, List

import pytest

import slakit
from conftest import VECTORS
from conformance import Outcome, check, load_vectors

VECTOR_LIST = load_vectors(VECTORS)
IDS = [name for name, _ in VECTOR_LIST]


def run(vector: Dict[str, Any], records: Any = None) -> Outcome:
    try:
        policy = slakit.Policy.from_dict(vector["policy"])
        report = policy.evaluate(
            vector["records"] if records is None else records, as_of=vector["as_of"]
        )
    except slakit.SlakitError as e:
        return ("error", (e.kind, e.message))
    return ("report", report.to_dict())


@pytest.mark.parametrize("vector", [v for _, v in VECTOR_LIST], ids=IDS)
def test_vector(vector: Dict[str, Any]) -> None:
    diffs = check(vector, run(vector))
    assert not diffs, "\n  ".join([f"{vector.get('name')}:"] + diffs)


def test_every_vector_ran() -> None:
    # The README promises the whole corpus; an empty glob must not pass quietly.
    assert len(VECTOR_LIST) >= 50


def test_the_runner_detects_a_wrong_expectation() -> None:
    name, vector = next((n, v) for n, v in VECTOR_LIST if n.startswith("001"))
    outcome = run(vector)
    assert check(vector, outcome) == []
    wrong = copy.deepcopy(vector)
    wrong["expect"]["results"][0]["met"] = 3
    wrong["expect"]["deployments"][0]["elapsed_ms"] = 1
    assert len(check(wrong, outcome)) == 2, name
    wrong = copy.deepcopy(vector)
    wrong["expect"]["results"][0]["value"] = vector["expect"]["results"][0]["value"] + 1e-6
    assert len(check(wrong, outcome)) == 1


REPORT_VECTORS = [(n, v) for n, v in VECTOR_LIST if "expect_error" not in v]


@pytest.mark.parametrize(
    "vector", [v for _, v in REPORT_VECTORS], ids=[n for n, _ in REPORT_VECTORS]
)
def test_vector_as_tables(vector: Dict[str, Any]) -> None:
    """The same records as a DataFrame and as an Arrow table give the report
    the dicts give, byte for byte (null cells are absent fields)."""
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    records: List[Dict[str, Any]] = vector["records"]
    policy = slakit.Policy.from_dict(vector["policy"])
    expected = policy.evaluate(records, as_of=vector["as_of"]).to_json()
    frame = pd.DataFrame(records)
    assert policy.evaluate(frame, as_of=vector["as_of"]).to_json() == expected
    # (Table.from_pylist infers the schema from the first record only.)
    table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(pa.array(records))])
    assert policy.evaluate(table, as_of=vector["as_of"]).to_json() == expected
