"""Partial evaluation from Python: split, merge, bytes, pickle, finish."""

from __future__ import annotations

import pickle
import zlib
from typing import Any, Dict, List

import pytest

import slakit
from conftest import EXAMPLE_POLICY

AS_OF = "2026-03-31T20:45:00Z"


def split(dicts: List[Dict[str, Any]], n: int) -> List[List[Dict[str, Any]]]:
    """Events by a stable hash of the deployment; interval records to every part."""
    parts: List[List[Dict[str, Any]]] = [[] for _ in range(n)]
    for r in dicts:
        if r.get("kind", "event") == "event":
            parts[zlib.crc32(r["deployment"].encode()) % n].append(r)
        else:
            for p in parts:
                p.append(r)
    return parts


@pytest.fixture(scope="module")
def policy() -> slakit.Policy:
    return slakit.Policy.load(EXAMPLE_POLICY)


def test_split_merge_finish_is_evaluate(policy: slakit.Policy, example_dicts: List[Dict[str, Any]]) -> None:
    whole = policy.evaluate(example_dicts, AS_OF)
    partials = [slakit.evaluate_partial(policy, p, AS_OF) for p in split(example_dicts, 4)]
    assert sum(p.deployments for p in partials) == whole.inputs["deployments"]
    # Any order, any grouping, through bytes and pickles.
    a, b, c, d = partials
    left = a.merge(b).merge(c).merge(d)
    right = slakit.Partial.from_bytes(d.to_bytes(), policy).merge(pickle.loads(pickle.dumps(c)))
    right = right.merge(b.merge(a))
    assert left.to_bytes() == right.to_bytes()
    assert left.records == len(example_dicts)
    assert left.finish().to_json() == whole.to_json()
    assert slakit.Partial.merge_all(partials).finish(policy).to_json() == whole.to_json()
    assert repr(left).startswith("<slakit.Partial as_of=2026-03-31T20:45:00Z")


def test_the_byte_form_refuses_what_it_cannot_read(policy: slakit.Policy, example_dicts: List[Dict[str, Any]]) -> None:
    data = policy.evaluate_partial(example_dicts[:50], AS_OF).to_bytes()
    assert data[:4] == b"SLKP"
    for bad in (data[:-1], data[:10], b"", data[:20] + bytes([data[20] ^ 1]) + data[21:]):
        with pytest.raises(slakit.UsageError) as e:
            slakit.Partial.from_bytes(bad)
        assert e.value.code == "E310"
    other_version = data[:4] + (99).to_bytes(2, "little") + data[6:]
    with pytest.raises(slakit.UsageError, match="partial format version 99"):
        slakit.Partial.from_bytes(other_version)
    # Read back without its policy: finish asks for it.
    bare = slakit.Partial.from_bytes(data)
    with pytest.raises(slakit.UsageError, match="without its policy") as e:
        bare.finish()
    assert e.value.code == "E303"
    assert bare.finish(policy).as_of == AS_OF


def test_mismatched_partials_are_errors(policy: slakit.Policy, example_dicts: List[Dict[str, Any]]) -> None:
    a = policy.evaluate_partial(example_dicts, AS_OF)
    with pytest.raises(slakit.UsageError, match="as_of") as e:
        a.merge(policy.evaluate_partial(example_dicts, "2026-04-01T00:00:00Z"))
    assert e.value.code == "E311"
    other = slakit.Policy.from_yaml(EXAMPLE_POLICY.read_text().replace("\nname: ", "\nname: other-", 1))
    with pytest.raises(slakit.UsageError) as e:
        a.finish(other)
    assert e.value.code == "E311"
    with pytest.raises(slakit.UsageError) as e:
        a.merge(a).finish()
    assert e.value.code == "E312"
    with pytest.raises(slakit.UsageError, match="explicit as_of") as e:
        policy.evaluate_partial(example_dicts, None)  # type: ignore[arg-type]
    assert e.value.code == "E303"
    with pytest.raises(TypeError):
        a.merge("not a partial")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        slakit.Partial.merge_all([])
