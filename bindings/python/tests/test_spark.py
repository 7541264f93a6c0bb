"""slakit.spark, run only where pyspark (and a Java runtime) is installed:
`make test` does not install it (a 456 MB download)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest

import slakit
from conftest import EXAMPLE_POLICY

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (make test does not need it)")
if shutil.which("java") is None:
    pytest.skip("pyspark needs a Java runtime, and none is on PATH", allow_module_level=True)

import slakit.spark  # noqa: E402

AS_OF = "2026-03-31T20:45:00Z"


def test_evaluate_spark_equals_evaluate(example_dicts: List[Dict[str, Any]], tmp_path: Path) -> None:
    from pyspark.sql import SparkSession

    policy = slakit.Policy.load(EXAMPLE_POLICY)
    # Without attrs, which Spark would read as structs padded with nulls
    # (the verdicts would match; the inputs digest would not).
    dicts = [{k: v for k, v in r.items() if k != "attrs"} for r in example_dicts]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in dicts), encoding="utf-8")
    spark = SparkSession.builder.master("local[2]").appName("slakit-test").getOrCreate()
    try:
        df = spark.read.json(str(path)).repartition(4)
        report = slakit.spark.evaluate_spark(policy, df, AS_OF, buckets=5)
    finally:
        spark.stop()
    assert report.to_json() == policy.evaluate(dicts, AS_OF).to_json()
