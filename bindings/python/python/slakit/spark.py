"""Evaluate a PySpark DataFrame of records: the Spark recipe of
docs/scale-out.md, as a function.

Events are grouped into ``buckets`` by a hash of ``deployment`` and each
group is evaluated by ``applyInPandas`` into partial bytes; interval records
(few) are collected and broadcast; the partials are merged with
``treeReduce`` and finished on the driver::

    import slakit, slakit.spark
    df = spark.read.parquet("s3://lake/deployment-records/")
    report = slakit.spark.evaluate_spark(policy, df, as_of="2026-04-01T00:00:00Z")

Needs ``pyspark`` (not a dependency of slakit; tested only when installed).
Spark's JSON and Parquet readers turn ``attrs`` objects into structs padded
with null fields: the verdicts are the same, but the inputs digest then
differs from a single-process evaluation of the original JSON.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any, Iterator, Optional, Union

from ._api import Partial, Policy, Records, Report

__all__ = ["evaluate_spark"]


def _merge_bytes(a: bytes, b: bytes) -> bytes:
    return Partial.from_bytes(a).merge(Partial.from_bytes(b)).to_bytes()


def evaluate_spark(
    policy: Policy,
    df: Any,
    as_of: Union[datetime, str],
    *,
    buckets: Optional[int] = None,
    depth: int = 2,
) -> Report:
    """Evaluate a ``pyspark.sql.DataFrame`` of records (one row per record)."""
    if as_of is None:
        raise TypeError("as_of is required: every partition must be evaluated at the same instant")
    F: Any = importlib.import_module("pyspark.sql.functions")
    pd: Any = importlib.import_module("pandas")

    kind = F.col("kind") if "kind" in df.columns else F.lit(None)
    is_event = kind.isNull() | (kind == "event")
    intervals = df.filter(~is_event).toPandas()
    buckets = buckets or max(df.rdd.getNumPartitions(), 1)
    shared = df.sparkSession.sparkContext.broadcast((policy, intervals, as_of))

    def partial(events: Any) -> Any:
        # One group: every event of the deployments of one bucket.
        p, iv, at = shared.value
        frame = events.drop(columns=["_bucket"])
        if len(iv):
            frame = pd.concat([frame, iv], ignore_index=True)
        data = p.evaluate_partial(Records.from_pandas(frame), at).to_bytes()
        return pd.DataFrame({"partial": [data]})

    parts = (
        df.filter(is_event)
        .withColumn("_bucket", F.pmod(F.hash("deployment"), F.lit(buckets)))
        .groupBy("_bucket")
        .applyInPandas(partial, schema="partial binary")
    )

    def rows(it: Iterator[Any]) -> Iterator[bytes]:
        for r in it:
            yield bytes(r.partial)

    data = parts.rdd.mapPartitions(rows).treeReduce(_merge_bytes, depth=depth)
    return Partial.from_bytes(data, policy).finish()
