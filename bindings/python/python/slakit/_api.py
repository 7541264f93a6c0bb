"""The public classes: ``Policy``, ``Records``, ``Report`` and ``Decision``."""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _slakit, _tables
from ._errors import UsageError

__all__ = [
    "Policy",
    "Records",
    "Report",
    "Decision",
    "Partial",
    "AsOf",
    "RecordsLike",
    "evaluate_partial",
    "Baseline",
    "baseline",
]

#: An evaluation instant: an aware ``datetime``, RFC 3339 text, or ``None``
#: (the latest lifecycle event time in the records, as the CLI).
AsOf = Union[datetime, str, None]

#: What ``Policy.evaluate`` accepts as records: :class:`Records`, a path to a
#: JSON Lines or JSON array file, an iterable of dicts, a ``pandas.DataFrame``,
#: a ``pyarrow.Table``/``RecordBatch``, or any object with ``__arrow_c_stream__``.
RecordsLike = Union["Records", str, "os.PathLike[str]", Iterable[Mapping[str, Any]], Any]


class Records:
    """Records read and checked by the engine, ready to evaluate many times.

    ``Policy.evaluate`` converts its ``records`` argument with
    :meth:`Records.of` on every call; build a ``Records`` once to evaluate the
    same records several times (several policies, several ``as_of``, many
    ``explain`` calls) without converting them again.
    """

    __slots__ = ("_native",)

    _native: _slakit.Records

    def __init__(self, records: RecordsLike) -> None:
        self._native = Records.of(records)._native

    @classmethod
    def _wrap(cls, native: _slakit.Records) -> "Records":
        obj = cls.__new__(cls)
        obj._native = native
        return obj

    @classmethod
    def of(cls, records: RecordsLike) -> "Records":
        """Convert any accepted form of records (see ``RecordsLike``)."""
        if isinstance(records, Records):
            return records
        if isinstance(records, (str, os.PathLike)):
            return cls.from_path(records)
        if isinstance(records, (bytes, bytearray)):
            raise TypeError(
                "records given as bytes: decode them and use Records.from_text(text), "
                "or pass a path"
            )
        if _tables.is_dataframe(records):
            return cls.from_pandas(records)
        if _tables.is_arrow(records):
            return cls.from_arrow(records)
        if _tables.speaks_arrow(records):
            return cls._wrap(_slakit.Records.from_columns(_tables.stream_batches(records)))
        if isinstance(records, Mapping):
            raise TypeError("records must be an iterable of dicts, not a single dict")
        return cls.from_dicts(records)

    @classmethod
    def from_path(cls, path: Union[str, "os.PathLike[str]"]) -> "Records":
        """Read a JSON Lines file (or a JSON array file). Errors name the file."""
        return cls._wrap(_slakit.Records.from_path(path))

    @classmethod
    def from_text(cls, text: str, file: Optional[str] = None) -> "Records":
        """Parse JSON Lines or a JSON array held in a string."""
        return cls._wrap(_slakit.Records.from_text(text, file))

    @classmethod
    def from_dicts(cls, records: Iterable[Mapping[str, Any]]) -> "Records":
        """Records from dicts shaped like the JSON records (docs/records.md).
        Instants may be RFC 3339 strings or aware ``datetime`` objects."""
        return cls._wrap(_slakit.Records.from_objects(records))

    @classmethod
    def from_pandas(cls, df: Any) -> "Records":
        """Records from a ``pandas.DataFrame``, one record per row, column by
        column (a missing cell — ``None``, ``NaN``, ``NaT`` — is an absent
        field). Datetime columns must be time-zone aware."""
        return cls._wrap(_slakit.Records.from_columns(_tables.pandas_batches(df)))

    @classmethod
    def from_arrow(cls, table: Any) -> "Records":
        """Records from a ``pyarrow.Table`` or ``RecordBatch``, read from its
        buffers (a null is an absent field). Timestamp columns must carry a
        time zone."""
        return cls._wrap(_slakit.Records.from_columns(_tables.arrow_batches(table)))

    @property
    def file(self) -> Optional[str]:
        """The file the records were read from, if any."""
        return self._native.file

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        src = f" from {self.file!r}" if self.file else ""
        return f"<slakit.Records: {len(self)} records{src}>"


class Policy:
    """A validated, compiled SLA policy. Immutable: share one between threads.

    Build one with :meth:`from_yaml`, :meth:`from_json`, :meth:`from_dict`,
    :meth:`from_text` or :meth:`load`; an invalid policy raises
    :class:`slakit.PolicyError`.
    """

    __slots__ = ("_native",)

    _native: _slakit.Policy

    def __init__(self) -> None:
        raise TypeError(
            "build a Policy with Policy.from_yaml(text), from_json(text), "
            "from_dict(obj) or load(path)"
        )

    @classmethod
    def _wrap(cls, native: _slakit.Policy) -> "Policy":
        obj = cls.__new__(cls)
        obj._native = native
        return obj

    @classmethod
    def from_yaml(cls, text: str) -> "Policy":
        """Compile a policy written in YAML."""
        return cls._wrap(_slakit.Policy.from_yaml(text))

    @classmethod
    def from_json(cls, text: str) -> "Policy":
        """Compile a policy written in JSON."""
        return cls._wrap(_slakit.Policy.from_json(text))

    @classmethod
    def from_text(cls, text: str) -> "Policy":
        """Compile YAML or JSON (JSON when the text starts with ``{``), as the CLI reads files."""
        return cls._wrap(_slakit.Policy.from_text(text))

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> "Policy":
        """Compile a policy given as Python data (the JSON model of the policy)."""
        return cls._wrap(_slakit.Policy.from_object(obj))

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Policy":
        """Read and compile a policy file (YAML or JSON). Errors name the file."""
        return cls._wrap(_slakit.Policy.load(path))

    @property
    def name(self) -> str:
        """The policy's ``name``."""
        return self._native.name

    @property
    def digest(self) -> str:
        """``sha256:…`` of the canonical policy document (as in the report)."""
        return self._native.digest

    @property
    def slas(self) -> List[str]:
        """The SLA ids, in policy order."""
        return self._native.sla_ids

    def check(self) -> List[Dict[str, str]]:
        """The policy's lint warnings, ``[{"code": "W…", "message": …}]``
        (the policy itself is valid: an invalid one never compiles)."""
        return [{"code": c, "message": m} for c, m in self._native.check()]

    def evaluate(self, records: RecordsLike, as_of: AsOf = None) -> "Report":
        """Evaluate the records at ``as_of`` and return the report.

        ``as_of`` is an aware ``datetime``, RFC 3339 text, or ``None`` for the
        latest lifecycle event time in the records (a :class:`UsageError`
        ``E301`` when there is none). The GIL is released while the engine runs.
        """
        native = Records.of(records)._native
        return Report._wrap(self._native.evaluate(native, as_of))

    def evaluate_partial(self, records: RecordsLike, as_of: Union[datetime, str]) -> "Partial":
        """Evaluate one partition of the records (docs/scale-out.md): every
        event of each of its deployments, and the interval records (outages,
        incidents, exclusions, exceptions) they may need. Merge the partials
        of all partitions with :meth:`Partial.merge` and :meth:`Partial.finish`
        them: the report is byte-identical to :meth:`evaluate` on all records.
        ``as_of`` is required (a default taken from each partition's records
        would differ between partitions). The GIL is released while the engine runs.
        """
        native = Records.of(records)._native
        return Partial._wrap(self._native.evaluate_partial(native, as_of), self)

    def gate(
        self,
        records: RecordsLike,
        proposed: Union[Mapping[str, Any], str],
        at: Union[datetime, str],
    ) -> "Decision":
        """May ``proposed`` deploy at ``at``? The policy's ``gates`` checked
        against the records, as ``slakit gate`` does (docs/gates.md).

        ``proposed`` is the deployment as a dict (``deployment`` required;
        ``service``, ``environment``, ``release_type``, ``team``) or its JSON
        text. ``at`` is an aware ``datetime`` or RFC 3339 text, and required:
        the engine reads no clock, so pass ``datetime.now(timezone.utc)`` to
        decide for now. The GIL is released while the engine runs.
        """
        native = Records.of(records)._native
        return Decision._wrap(self._native.gate(native, proposed, at))

    def baseline(self, records: RecordsLike, as_of: AsOf = None) -> "Baseline":
        """Suggested targets for this policy's SLAs from the records' history
        (``slakit baseline --policy``): see :func:`baseline`."""
        return baseline(records, self, as_of)

    def explain(self, records: RecordsLike, deployment: str, as_of: AsOf = None) -> Dict[str, Any]:
        """One deployment's clocks as a timeline (``slakit explain --format json``)."""
        native = Records.of(records)._native
        result: Dict[str, Any] = json.loads(self._native.explain_json(native, deployment, as_of))
        return result

    def __reduce__(self) -> Tuple[Any, Tuple[str, str]]:
        # Pickled as the text it was compiled from (for multiprocessing).
        return (_policy_from_source, self._native.source)

    def __repr__(self) -> str:
        return f"<slakit.Policy {self.name!r} ({len(self.slas)} SLAs) {self.digest[:19]}…>"


def _policy_from_source(kind: str, text: str) -> Policy:
    """Unpickle a Policy: compile its text again the way it was compiled."""
    return Policy._wrap(
        {"yaml": _slakit.Policy.from_yaml, "json": _slakit.Policy.from_json}.get(
            kind, _slakit.Policy.from_text
        )(text)
    )


class Report:
    """An evaluation report: the JSON document of ``slakit evaluate --format json``.

    The sections (``results``, ``deployments``, ``findings``, …) are parsed
    on first access and cached: treat them as read-only.
    """

    __slots__ = ("_native", "_sections")

    _native: _slakit.Report
    _sections: Dict[str, Any]

    def __init__(self) -> None:
        raise TypeError("a Report comes from Policy.evaluate(...)")

    @classmethod
    def _wrap(cls, native: _slakit.Report) -> "Report":
        obj = cls.__new__(cls)
        obj._native = native
        obj._sections = {}
        return obj

    def _section(self, name: str) -> Any:
        if name not in self._sections:
            self._sections[name] = json.loads(self._native.section_json(name))
        return self._sections[name]

    def to_json(self) -> str:
        """The report as pretty JSON: byte-identical to ``slakit evaluate
        --format json``, except that the CLI adds a final newline."""
        return self._native.to_json()

    def to_html(self) -> str:
        """The report as a self-contained HTML dashboard (inline CSS and SVG
        charts, no scripts, no network): byte-identical to ``slakit evaluate
        --format html``, except that the CLI adds a final newline. Write it
        to a ``.html`` file and open it in a browser, attach it, print it."""
        return self._native.to_html()

    def to_markdown(self) -> str:
        """The monthly leadership report in Markdown (compliance per SLA and
        segment, breaches and why, exceptions, vendor credits, trends, DORA):
        byte-identical to ``slakit evaluate --format markdown``. Paste it into
        a wiki page or a pull request."""
        return self._native.to_markdown()

    def to_dict(self) -> Dict[str, Any]:
        """The report as a new dict, ``json.loads(report.to_json())`` (key order kept)."""
        result: Dict[str, Any] = json.loads(self._native.to_json())
        return result

    @property
    def as_of(self) -> str:
        """The evaluation instant, RFC 3339 UTC."""
        return self._native.as_of

    @property
    def has_breach(self) -> bool:
        """True when any result row is ``breached`` (the CLI's ``--fail-on-breach``)."""
        return self._native.has_breach

    @property
    def results(self) -> List[Dict[str, Any]]:
        """One row per SLA, window and segment."""
        result: List[Dict[str, Any]] = self._section("results")
        return result

    @property
    def deployments(self) -> List[Dict[str, Any]]:
        """One entry per deployment and in-scope SLA."""
        result: List[Dict[str, Any]] = self._section("deployments")
        return result

    @property
    def vendors(self) -> List[Dict[str, Any]]:
        """One row per vendor and month: availability, promise met, credit owed."""
        result: List[Dict[str, Any]] = self._section("vendors")
        return result

    @property
    def dora(self) -> Dict[str, Any]:
        """The DORA summary: one row per period and segment (docs/dora.md)."""
        result: Dict[str, Any] = self._section("dora")
        return result

    @property
    def findings(self) -> List[Dict[str, Any]]:
        """Governance findings (``{kind, message, …}``)."""
        result: List[Dict[str, Any]] = self._section("findings")
        return result

    @property
    def warnings(self) -> List[Dict[str, str]]:
        """Non-fatal remarks about the inputs (``{code, message}``)."""
        result: List[Dict[str, str]] = self._section("warnings")
        return result

    @property
    def in_force(self) -> Dict[str, Any]:
        """The exclusions and exceptions in force at ``as_of``."""
        result: Dict[str, Any] = self._section("in_force")
        return result

    @property
    def inputs(self) -> Dict[str, Any]:
        """What was read: record and deployment counts, digest."""
        result: Dict[str, Any] = self._section("inputs")
        return result

    def to_pandas(self) -> Any:
        """The result rows as a ``pandas.DataFrame`` (needs pandas): nested
        fields flattened with dots (``window.start``, ``segment.tier``, …),
        window bounds as UTC datetimes."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("Report.to_pandas() needs pandas (pip install pandas)") from e
        df = pd.json_normalize(self.results)
        for col in ("window.start", "window.end"):
            if col in df.columns:
                df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601")
        return df

    def __repr__(self) -> str:
        n = len(self.results)
        breached = sum(1 for r in self.results if r.get("status") == "breached")
        return f"<slakit.Report as_of={self.as_of} {n} rows, {breached} breached>"


class Decision:
    """A gate decision: the JSON document of ``slakit gate --format json``.

    ``allowed`` is what a pipeline step looks at. A ``Decision`` has no truth
    value (``if policy.gate(...):`` raises ``TypeError``): test ``.allowed``.
    The document is parsed on first access and cached: treat the lists and
    dicts it returns as read-only.
    """

    __slots__ = ("_native", "_doc")

    _native: _slakit.Decision
    _doc: Optional[Dict[str, Any]]

    def __init__(self) -> None:
        raise TypeError("a Decision comes from Policy.gate(...)")

    @classmethod
    def _wrap(cls, native: _slakit.Decision) -> "Decision":
        obj = cls.__new__(cls)
        obj._native = native
        obj._doc = None
        return obj

    def _document(self) -> Dict[str, Any]:
        if self._doc is None:
            self._doc = json.loads(self._native.to_json())
        return self._doc

    def to_json(self) -> str:
        """The decision as pretty JSON: byte-identical to ``slakit gate
        --format json``, except that the CLI adds a final newline."""
        return self._native.to_json()

    def to_dict(self) -> Dict[str, Any]:
        """The decision as a new dict, ``json.loads(decision.to_json())`` (key order kept)."""
        result: Dict[str, Any] = json.loads(self._native.to_json())
        return result

    @property
    def allowed(self) -> bool:
        """True when the deployment may proceed (the CLI's exit status 0)."""
        return self._native.allowed

    @property
    def decision(self) -> str:
        """``"allow"`` or ``"deny"``."""
        return self._native.decision

    @property
    def deployment(self) -> str:
        """The proposed deployment id."""
        result: str = self._document()["deployment"]
        return result

    @property
    def at(self) -> str:
        """The instant of the decision, RFC 3339 UTC."""
        result: str = self._document()["at"]
        return result

    @property
    def tier(self) -> str:
        """The deployment's tier (from the policy's catalog, else ``default``)."""
        result: str = self._document()["tier"]
        return result

    @property
    def reasons(self) -> List[Dict[str, Any]]:
        """Every gate that denied (``{gate, id, message, evidence}``); empty
        when allowed, also when an emergency override moved them to findings."""
        result: List[Dict[str, Any]] = self._document()["reasons"]
        return result

    @property
    def findings(self) -> List[Dict[str, Any]]:
        """``emergency_override`` findings (``{kind, message, gate, id,
        exception, justify_by, …}``): the denials an emergency approval overrode."""
        result: List[Dict[str, Any]] = self._document()["findings"]
        return result

    @property
    def policy(self) -> Dict[str, str]:
        """The policy's ``name`` and ``digest``."""
        result: Dict[str, str] = self._document()["policy"]
        return result

    def __bool__(self) -> bool:
        raise TypeError(
            "a Decision has no truth value: test decision.allowed (a deny is a Decision too)"
        )

    def __repr__(self) -> str:
        n = len(self.reasons)
        return (
            f"<slakit.Decision {self.decision} {self.deployment!r} at {self.at}: "
            f"{n} reason{'' if n == 1 else 's'}>"
        )


class Partial:
    """The evaluation of some partitions of the records: merge partials in any
    order or grouping, ship them as bytes (or pickles) between processes, and
    :meth:`finish` the merge of all of them into the :class:`Report`.

    A partial remembers the :class:`Policy` it was computed with (also when
    pickled), so ``finish()`` needs no argument; one read back with
    :meth:`from_bytes` needs the policy, given there or to ``finish``.
    """

    __slots__ = ("_native", "_policy")
    _native: _slakit.Partial
    _policy: Optional[Policy]

    def __init__(self) -> None:
        raise TypeError("a Partial comes from Policy.evaluate_partial(...) or Partial.from_bytes(...)")

    @classmethod
    def _wrap(cls, native: _slakit.Partial, policy: Optional[Policy]) -> "Partial":
        obj = cls.__new__(cls)
        obj._native = native
        obj._policy = policy
        return obj

    def merge(self, other: "Partial") -> "Partial":
        """This partial combined with the partial of other deployments: a
        :class:`UsageError` ``E311`` when they were computed under different
        policies or as_of. Order and grouping of merges do not matter."""
        if not isinstance(other, Partial):
            raise TypeError(f"can only merge a Partial with a Partial, not {type(other).__name__}")
        return Partial._wrap(self._native.merge(other._native), self._policy or other._policy)

    @staticmethod
    def merge_all(partials: Iterable["Partial"]) -> "Partial":
        """Merge many partials as a balanced tree (a ``ValueError`` when there are none)."""
        level = list(partials)
        if not level:
            raise ValueError("merge_all needs at least one partial")
        while len(level) > 1:
            merged = [a.merge(b) for a, b in zip(level[0::2], level[1::2])]
            if len(level) % 2:
                merged.append(level[-1])
            level = merged
        return level[0]

    def finish(self, policy: Optional[Policy] = None) -> Report:
        """The report of every record the merged partials saw, byte-identical
        to ``policy.evaluate(all_records, as_of)``. ``policy`` defaults to
        the one the partial remembers; a different policy is a
        :class:`UsageError` ``E311``; a deployment found in two partials an
        ``E312``."""
        policy = policy if policy is not None else self._policy
        if policy is None:
            raise UsageError(
                "this partial was read from bytes without its policy: pass it, "
                "partial.finish(policy) or Partial.from_bytes(data, policy)",
                code="E303",
            )
        return Report._wrap(self._native.finish(policy._native))

    def to_bytes(self) -> bytes:
        """The compact, versioned byte form (docs/scale-out.md); the policy is not included."""
        return self._native.to_bytes()

    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview], policy: Optional[Policy] = None) -> "Partial":
        """Read :meth:`to_bytes` output: a :class:`UsageError` ``E310`` when the
        bytes are of another format or slakit version, truncated or corrupt."""
        return cls._wrap(_slakit.Partial.from_bytes(bytes(data)), policy)

    @property
    def as_of(self) -> str:
        """The evaluation instant, RFC 3339 UTC."""
        return self._native.as_of

    @property
    def policy_digest(self) -> str:
        """``sha256:…`` of the policy the partial was computed under."""
        return self._native.policy_digest

    @property
    def deployments(self) -> int:
        """Deployments judged (with an event at or before as_of)."""
        return self._native.deployments

    @property
    def records(self) -> int:
        """Records read (an interval record given to several partitions counts once)."""
        return self._native.records

    def __reduce__(self) -> Tuple[Any, Tuple[bytes, Optional[Policy]]]:
        # Pickled as its bytes and its policy (for Dask, Spark, multiprocessing).
        return (_partial_from_bytes, (self.to_bytes(), self._policy))

    def __repr__(self) -> str:
        return f"<slakit.Partial as_of={self.as_of} {self.deployments} deployments, {self.records} records>"


def _partial_from_bytes(data: bytes, policy: Optional[Policy]) -> Partial:
    """Unpickle a Partial."""
    return Partial.from_bytes(data, policy)


def evaluate_partial(policy: Policy, records: RecordsLike, as_of: Union[datetime, str]) -> Partial:
    """``policy.evaluate_partial(records, as_of)``: see :meth:`Policy.evaluate_partial`."""
    return policy.evaluate_partial(records, as_of)


class Baseline:
    """Targets suggested from history (docs/baseline.md): per SLA, tier and
    group, nearest-rank percentiles of the measured clocks, window rates and
    counts, each suggestion with the compliance it would have had.

    :meth:`to_yaml` is the snippet of ``slakit baseline``; :meth:`to_json`
    the document of ``slakit baseline --format json``.
    """

    __slots__ = ("_native", "_doc")

    _native: _slakit.Baseline
    _doc: Optional[Dict[str, Any]]

    def __init__(self) -> None:
        raise TypeError("a Baseline comes from slakit.baseline(...) or Policy.baseline(...)")

    @classmethod
    def _wrap(cls, native: _slakit.Baseline) -> "Baseline":
        obj = cls.__new__(cls)
        obj._native = native
        obj._doc = None
        return obj

    def to_yaml(self) -> str:
        """The YAML snippet: a ``slas:`` section with the suggested targets and
        every figure in comments (a complete policy when no policy was given)."""
        return self._native.to_yaml()

    def to_json(self) -> str:
        """The baseline as pretty JSON: byte-identical to ``slakit baseline
        --format json``, except that the CLI adds a final newline."""
        return self._native.to_json()

    def to_dict(self) -> Dict[str, Any]:
        """The baseline as a new dict, ``json.loads(baseline.to_json())``."""
        result: Dict[str, Any] = json.loads(self._native.to_json())
        return result

    @property
    def slas(self) -> List[Dict[str, Any]]:
        """One entry per SLA: ``{sla, kind, window, judged, tiers: [...]}``."""
        if self._doc is None:
            self._doc = self.to_dict()
        result: List[Dict[str, Any]] = self._doc["slas"]
        return result

    def __repr__(self) -> str:
        return f"<slakit.Baseline {len(self.slas)} SLAs>"


def baseline(records: RecordsLike, policy: Optional[Policy] = None, as_of: AsOf = None) -> Baseline:
    """Suggest targets from the records' history, as ``slakit baseline`` does.

    ``policy`` supplies the SLAs, clocks, calendars, scopes and exclusions to
    measure with; ``None`` uses slakit's default baseline policy (lead time,
    deploy duration, rollback time, success and change failure rates, weekly
    frequency). ``as_of`` as for :meth:`Policy.evaluate`. The GIL is released
    while the engine runs.
    """
    native = Records.of(records)._native
    return Baseline._wrap(_slakit.baseline(native, policy._native if policy is not None else None, as_of))
