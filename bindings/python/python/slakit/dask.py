"""Evaluate records that live in Dask: a recipe over partial evaluation.

Each Dask task evaluates one partition of the records with
:meth:`slakit.Policy.evaluate_partial`; the partials are merged in a tree
(``split_every`` at a time) and the final one is finished on the client. The
report is byte-identical to ``policy.evaluate(all_records, as_of)``.

Two entry points::

    import dask.dataframe as dd
    import slakit, slakit.dask

    policy = slakit.Policy.load("policy.yaml")
    ddf = dd.read_parquet("s3://lake/deployments/")           # one row per record
    report = slakit.dask.evaluate_dataframe(policy, ddf, as_of="2026-04-01T00:00:00Z")

    report = slakit.dask.evaluate_jsonl(policy, "s3://lake/records/*.jsonl", as_of=...)

How the records are partitioned (docs/scale-out.md):

- lifecycle events (rows whose ``kind`` is missing or ``event``) are
  shuffled so that every event of one deployment lands in one partition;
- interval records (outages, incidents, exclusions, exceptions) are few: they
  are collected once and given to every partition. Merging counts each once.

Needs ``dask[dataframe,distributed]`` (and pandas); slakit itself does not
import this module. ``as_of`` is required: every partition must be evaluated
at the same instant.
"""

from __future__ import annotations

import importlib
import json
import zlib
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._api import Partial, Policy, Records, Report

__all__ = ["evaluate_dataframe", "evaluate_bag", "evaluate_jsonl", "tree_merge"]

#: The evaluation instant: an aware ``datetime`` or RFC 3339 text (required).
Instant = Union[datetime, str]

def _dask(module: str = "dask") -> Any:
    """Import a dask module lazily (slakit does not need dask), untyped."""
    return importlib.import_module(module)


#: A partial travels between Dask workers as its byte form (compact, versioned).
PartialBytes = bytes


def _is_event_kind(kind: Any) -> bool:
    return kind is None or kind == "event" or (isinstance(kind, float) and kind != kind)


def _merge_bytes(a: PartialBytes, b: PartialBytes) -> PartialBytes:
    return Partial.from_bytes(a).merge(Partial.from_bytes(b)).to_bytes()


def _merge_many(*parts: PartialBytes) -> PartialBytes:
    return Partial.merge_all(Partial.from_bytes(p) for p in parts).to_bytes()


def tree_merge(parts: Sequence[Any], split_every: int = 8) -> Any:
    """Merge a list of ``dask.delayed`` partial bytes as a tree with at most
    ``split_every`` children per node; returns one delayed partial bytes."""
    dask = _dask()

    if not parts:
        raise ValueError("no partition to merge")
    if split_every < 2:
        raise ValueError("split_every must be at least 2")
    level = list(parts)
    merge = dask.delayed(_merge_many, pure=True)
    while len(level) > 1:
        level = [
            merge(*level[i : i + split_every])
            for i in range(0, len(level), split_every)
        ]
    return level[0]


# -- dask.dataframe -----------------------------------------------------------


def _frame_partial(events: Any, intervals: Any, policy: Policy, as_of: Instant) -> PartialBytes:
    """One partition: its events plus every interval record, as partial bytes."""
    import pandas as pd

    frame = pd.concat([events, intervals], ignore_index=True) if len(intervals) else events
    return policy.evaluate_partial(Records.from_pandas(frame), as_of).to_bytes()


def evaluate_dataframe(
    policy: Policy,
    ddf: Any,
    as_of: Instant,
    *,
    split_every: int = 8,
    npartitions: Optional[int] = None,
    shuffle_method: str = "tasks",
    client: Any = None,
) -> Report:
    """Evaluate a ``dask.dataframe.DataFrame`` of records (one row per record,
    columns named as the record fields; ``kind`` may be absent when every
    row is an event).

    Events are shuffled on ``deployment`` (into ``npartitions``, default the
    frame's), interval records collected and broadcast, each partition
    evaluated with ``map_partitions`` into partial bytes, and the partials
    merged in a tree of fan-in ``split_every``. ``shuffle_method``:
    ``"tasks"`` (default) keeps Python objects in cells as they are; ``"p2p"``
    is faster on large frames but passes cells through Arrow, which pads
    ``attrs`` dicts with null keys (the verdicts are the same; the inputs
    digest is not). ``client``: a ``distributed.Client`` (default: the
    current scheduler). With dask's default ``dataframe.convert-string``,
    ``dd.from_pandas`` turns object columns holding dicts or lists into
    text: build such frames under
    ``dask.config.set({"dataframe.convert-string": False})``.
    """
    import pandas as pd

    dask = _dask()

    if as_of is None:
        raise TypeError("as_of is required: every partition must be evaluated at the same instant")
    if "kind" in ddf.columns:
        is_event = ddf["kind"].isna() | (ddf["kind"] == "event")
        events, intervals = ddf[is_event], ddf[~is_event]
        intervals_pdf = intervals.compute() if client is None else client.compute(intervals).result()
    else:
        events, intervals_pdf = ddf, ddf._meta
    # The task-based shuffle pickles the pandas partitions; the p2p shuffle
    # goes through Arrow, which turns dicts of differing keys (`attrs`) into
    # structs padded with nulls and so changes the inputs digest.
    events = events.shuffle(
        on="deployment",
        npartitions=npartitions or ddf.npartitions,
        shuffle_method=shuffle_method,
    )
    shared = dask.delayed(intervals_pdf, pure=True)
    parts = events.map_partitions(
        lambda df, iv: pd.Series([_frame_partial(df, iv, policy, as_of)], dtype=object),
        shared,
        meta=pd.Series([], dtype=object),
        align_dataframes=False,
    ).to_delayed()
    # Each delayed partition is a one-element Series of bytes.
    first = dask.delayed(lambda s: s.iloc[0], pure=True)
    merged = tree_merge([first(p) for p in parts], split_every)
    data = merged.compute() if client is None else client.compute(merged).result()
    return Partial.from_bytes(data, policy).finish()


# -- dask.bag / JSON Lines files ----------------------------------------------


def _bucket(deployment: Any, buckets: int) -> int:
    # zlib.crc32 is the same in every worker process (hash() of a str is not).
    return zlib.crc32(str(deployment).encode("utf-8")) % buckets


def _bucket_partial(
    item: Tuple[int, List[Dict[str, Any]]],
    intervals: List[Dict[str, Any]],
    policy: Policy,
    as_of: Instant,
) -> PartialBytes:
    _, events = item
    return policy.evaluate_partial(Records.from_dicts(list(events) + intervals), as_of).to_bytes()


def evaluate_bag(
    policy: Policy,
    bag: Any,
    as_of: Instant,
    *,
    buckets: Optional[int] = None,
    split_every: int = 8,
    client: Any = None,
) -> Report:
    """Evaluate a ``dask.bag.Bag`` of record dicts: events grouped into
    ``buckets`` by a stable hash of ``deployment`` (default: the bag's
    partition count), interval records broadcast, partials folded as a tree."""
    dask = _dask()

    if as_of is None:
        raise TypeError("as_of is required: every partition must be evaluated at the same instant")
    buckets = buckets or max(bag.npartitions, 1)
    events = bag.filter(lambda r: _is_event_kind(r.get("kind")))
    intervals_bag = bag.filter(lambda r: not _is_event_kind(r.get("kind")))
    intervals = intervals_bag.compute() if client is None else client.compute(intervals_bag).result()
    shared = dask.delayed(list(intervals), pure=True)
    grouped = events.groupby(lambda r: _bucket(r.get("deployment"), buckets), npartitions=buckets)
    parts = grouped.map(_bucket_partial, shared, policy, as_of)
    merged = parts.fold(_merge_bytes, split_every=split_every)
    data = merged.compute() if client is None else client.compute(merged).result()
    return Partial.from_bytes(data, policy).finish()


def evaluate_jsonl(
    policy: Policy,
    paths: Union[str, Sequence[str]],
    as_of: Instant,
    *,
    blocksize: Union[int, str, None] = None,
    buckets: Optional[int] = None,
    split_every: int = 8,
    client: Any = None,
) -> Report:
    """Evaluate JSON Lines files (a glob, a list, any ``fsspec`` URL) read with
    ``dask.bag.read_text``; see :func:`evaluate_bag`."""
    db = _dask("dask.bag")

    loads: Callable[[str], Any] = json.loads
    bag = db.read_text(paths, blocksize=blocksize).filter(str.strip).map(loads)
    return evaluate_bag(policy, bag, as_of, buckets=buckets, split_every=split_every, client=client)
