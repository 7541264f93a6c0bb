"""The conformance-vector comparison, ported from the Rust runner
(crates/slakit/tests/common/conformance.rs) rule for rule:

- result rows: exactly as many as listed; each listed row is found by `sla`,
  window start (as an instant) and `segment`, and every listed field equals
  (flat keys: `window_start`/`window_end`/`window_state` read `window.*`;
  counts at the row's top level or under `counts`);
- numbers compare as floats, `value` and `consumed` to 6 decimals (|e-a| < 5e-7);
  strings of `*_at` and `window_*` keys (not `window_state`) compare as
  instants (or as equal text); anything else compares as JSON values
  (nested numbers keep serde_json's integer/float distinction);
- deployments: every listed entry present with equal listed fields, and no
  more entries for the SLAs the vector lists;
- expect_error: the error's kind matches and its message mentions every string.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def instant_ms(text: Any) -> Optional[int]:
    """RFC 3339 → UTC milliseconds (sub-ms digits truncated, as chrono's
    `timestamp_millis`), or None."""
    if not isinstance(text, str):
        return None
    m = _RFC3339.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    frac, off = m.group(7), m.group(8)
    if off in ("Z", "z"):
        tz = timezone.utc
    else:
        sign = 1 if off[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
    try:
        dt = datetime(y, mo, d, h, mi, s, tzinfo=tz)
    except ValueError:
        return None
    ms = (dt - _EPOCH) // timedelta(milliseconds=1)
    if frac:
        ms += int((frac[1:] + "000")[:3])
    return ms


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def json_equal(e: Any, a: Any) -> bool:
    """serde_json `Value` equality: integers and floats are different numbers."""
    if isinstance(e, bool) or isinstance(a, bool):
        return type(e) is type(a) and e == a
    if _is_number(e) and _is_number(a):
        return isinstance(e, float) == isinstance(a, float) and e == a
    if isinstance(e, dict) and isinstance(a, dict):
        return e.keys() == a.keys() and all(json_equal(e[k], a[k]) for k in e)
    if isinstance(e, list) and isinstance(a, list):
        return len(e) == len(a) and all(json_equal(x, y) for x, y in zip(e, a))
    return type(e) is type(a) and e == a


def same_value(expected: Any, actual: Any, key: str) -> bool:
    if expected is None and actual is None:
        return True
    if _is_number(expected) and _is_number(actual):
        if key in ("value", "consumed"):
            return abs(float(expected) - float(actual)) < 5e-7
        return float(expected) == float(actual)
    if (
        isinstance(expected, str)
        and isinstance(actual, str)
        and (key.endswith("_at") or (key.startswith("window_") and key != "window_state"))
    ):
        e = instant_ms(expected)
        return (e is not None and e == instant_ms(actual)) or expected == actual
    return json_equal(expected, actual)


def row_field(row: Dict[str, Any], key: str) -> Any:
    if key in ("window_start", "window_end", "window_state"):
        return (row.get("window") or {}).get(key[len("window_") :])
    if key in row:
        return row[key]
    counts = row.get("counts")
    return counts.get(key) if isinstance(counts, dict) else None


def _j(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"))


Outcome = Tuple[str, Any]  # ("report", dict) | ("error", (kind, message))


def check(vector: Dict[str, Any], outcome: Outcome) -> List[str]:
    """The differences between a vector's expectations and an outcome (empty = pass)."""
    diffs: List[str] = []
    err = vector.get("expect_error")
    tag, payload = outcome
    if err is not None and tag == "error":
        kind, message = payload
        if err.get("kind") != kind:
            diffs.append(f"error kind: expected {_j(err.get('kind'))}, got {kind} ({message})")
        for m in err.get("mentions") or []:
            if m not in message:
                diffs.append(f"error message {message!r} does not mention {m!r}")
        return diffs
    if err is not None:
        return [f"expected an error {_j(err)}, got a report"]
    if tag == "error":
        kind, message = payload
        return [f"unexpected {kind} error: {message}"]

    report = payload
    expect = vector.get("expect") or {}
    rows = report.get("results") or []
    exp_rows = expect.get("results")
    if isinstance(exp_rows, list):
        if len(exp_rows) != len(rows):
            listing = " ".join(
                f"{_j(r.get('sla'))}@{_j(r['window']['start'])}{_j(r.get('segment'))}" for r in rows
            )
            diffs.append(f"expected {len(exp_rows)} result rows, got {len(rows)}: {listing}")
        for er in exp_rows:
            ws = instant_ms(er.get("window_start") or "")
            found = next(
                (
                    r
                    for r in rows
                    if json_equal(r.get("sla"), er.get("sla"))
                    and instant_ms((r.get("window") or {}).get("start") or "") == ws
                    and json_equal(r.get("segment"), er.get("segment"))
                ),
                None,
            )
            label = f"{_j(er.get('sla'))} {_j(er.get('window_start'))} {_j(er.get('segment'))}"
            if found is None:
                diffs.append(
                    f"missing row sla={_j(er.get('sla'))} window_start={_j(er.get('window_start'))} "
                    f"segment={_j(er.get('segment'))}"
                )
                continue
            for k, ev in er.items():
                if k in ("sla", "segment"):
                    continue
                av = row_field(found, k)
                if not same_value(ev, av, k):
                    diffs.append(f"row {label}: {k} expected {_j(ev)}, got {_j(av)}")
    exp_deps = expect.get("deployments")
    if isinstance(exp_deps, list):
        deps = report.get("deployments") or []
        slas = sorted({d["sla"] for d in exp_deps if isinstance(d.get("sla"), str)})
        actual_count = sum(1 for d in deps if d.get("sla") in slas)
        if actual_count != len(exp_deps):
            diffs.append(
                f"expected {len(exp_deps)} deployment entries for {slas}, got {actual_count}"
            )
        for ed in exp_deps:
            d = next(
                (
                    d
                    for d in deps
                    if json_equal(d.get("deployment"), ed.get("deployment"))
                    and json_equal(d.get("sla"), ed.get("sla"))
                ),
                None,
            )
            if d is None:
                diffs.append(
                    f"missing deployment entry {_j(ed.get('deployment'))} / {_j(ed.get('sla'))}"
                )
                continue
            for k, ev in ed.items():
                if not same_value(ev, d.get(k), k):
                    diffs.append(
                        f"deployment {_j(ed.get('deployment'))} / {_j(ed.get('sla'))}: "
                        f"{k} expected {_j(ev)}, got {_j(d.get(k))}"
                    )
    return diffs


def load_vectors(directory: Path) -> List[Tuple[str, Dict[str, Any]]]:
    out = []
    for path in sorted(directory.glob("*.json")):
        with path.open(encoding="utf-8") as f:
            out.append((path.name, json.load(f)))
    assert out, f"no conformance vectors in {directory}"
    return out
