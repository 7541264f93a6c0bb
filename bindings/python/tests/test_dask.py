"""slakit.dask on a dask.distributed LocalCluster of worker processes: the
report equals the single-process one, byte for byte."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import slakit
from conftest import EXAMPLE_POLICY

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
dd = pytest.importorskip("dask.dataframe", reason="dask[dataframe] is not installed")
pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")

import slakit.dask  # noqa: E402  (after the skips)

AS_OF = "2026-03-31T20:45:00Z"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def policy() -> slakit.Policy:
    return slakit.Policy.load(EXAMPLE_POLICY)


def test_the_workers_are_other_processes(client: Any) -> None:
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 3 and os.getpid() not in pids


def test_evaluate_dataframe_equals_evaluate(
    client: Any, policy: slakit.Policy, example_dicts: List[Dict[str, Any]]
) -> None:
    whole = policy.evaluate(example_dicts, AS_OF).to_json()
    # Rows in file order, cut into 7 partitions: deployments span partitions
    # until the recipe shuffles them. `attrs` and `services` hold dicts and
    # lists, which dask's default string conversion would turn into text.
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dd.from_pandas(pd.DataFrame(example_dicts), npartitions=7)
        report = slakit.dask.evaluate_dataframe(policy, ddf, AS_OF, split_every=3, client=client)
    assert report.to_json() == whole


def test_evaluate_jsonl_equals_evaluate(
    client: Any, policy: slakit.Policy, example_dicts: List[Dict[str, Any]], tmp_path: Path
) -> None:
    whole = policy.evaluate(example_dicts, AS_OF).to_json()
    # Round-robin over four files: every deployment's events in several files.
    for i in range(4):
        with (tmp_path / f"part-{i}.jsonl").open("w", encoding="utf-8") as f:
            for r in example_dicts[i::4]:
                f.write(json.dumps(r) + "\n")
    report = slakit.dask.evaluate_jsonl(
        policy, str(tmp_path / "*.jsonl"), AS_OF, buckets=5, split_every=2, client=client
    )
    assert report.to_json() == whole


def test_as_of_is_required(client: Any, policy: slakit.Policy) -> None:
    ddf = dd.from_pandas(pd.DataFrame([{"deployment": "d", "event": "merged"}]), npartitions=1)
    with pytest.raises(TypeError, match="as_of is required"):
        slakit.dask.evaluate_dataframe(policy, ddf, None)
