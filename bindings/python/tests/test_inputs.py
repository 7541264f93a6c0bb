"""Every form of records gives the same report: dicts, a JSON Lines path, a
JSON array path, text, a pandas DataFrame, a pyarrow Table/RecordBatch, an
Arrow stream, with instants as text or as aware datetimes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

import slakit
from conftest import EXAMPLE_RECORDS

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

INSTANT_FIELDS = ["time", "from", "to", "opened", "resolved", "justified_at"]


@pytest.fixture(scope="module")
def expected(example_policy: slakit.Policy) -> str:
    return example_policy.evaluate(EXAMPLE_RECORDS).to_json()


def as_datetimes(records: List[Dict[str, Any]], tz: Any = None) -> List[Dict[str, Any]]:
    out = []
    for r in records:
        r = dict(r)
        for k in INSTANT_FIELDS:
            if isinstance(r.get(k), str):
                dt = datetime.fromisoformat(r[k].replace("Z", "+00:00"))
                r[k] = dt.astimezone(tz) if tz is not None else dt
        out.append(r)
    return out


def arrow_table(records: List[Dict[str, Any]]) -> Any:
    # One schema over every record (Table.from_pylist looks at the first only).
    return pa.Table.from_batches([pa.RecordBatch.from_struct_array(pa.array(records))])


class ArrowStream:
    """A foreign table that speaks the Arrow PyCapsule stream protocol (as polars does)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._table.__arrow_c_stream__(requested_schema)


def forms(dicts: List[Dict[str, Any]], tmp: Path) -> Dict[str, Callable[[], Any]]:
    def array_path() -> Path:
        path = tmp / "records.json"
        path.write_text(json.dumps(dicts), encoding="utf-8")
        return path

    return {
        "dicts": lambda: dicts,
        "generator": lambda: (d for d in dicts),
        "tuple": lambda: tuple(dicts),
        "jsonl-path-str": lambda: str(EXAMPLE_RECORDS),
        "jsonl-pathlib": lambda: EXAMPLE_RECORDS,
        "json-array-path": array_path,
        "records-text": lambda: slakit.Records.from_text(EXAMPLE_RECORDS.read_text("utf-8")),
        "records-object": lambda: slakit.Records(dicts),
        "dataframe": lambda: pd.DataFrame(dicts),
        "arrow-table": lambda: arrow_table(dicts),
        "arrow-record-batch": lambda: pa.RecordBatch.from_struct_array(pa.array(dicts)),
        "arrow-stream": lambda: ArrowStream(arrow_table(dicts)),
        "dicts-aware-datetimes": lambda: as_datetimes(dicts),
        "dicts-datetimes-in-tokyo": lambda: as_datetimes(dicts, timezone(timedelta(hours=9))),
    }


FORM_NAMES = list(forms([], Path(".")))


@pytest.mark.parametrize("form", FORM_NAMES)
def test_every_form_gives_the_same_report(
    form: str, example_policy: slakit.Policy, example_dicts: List[Dict[str, Any]],
    expected: str, tmp_path: Path,
) -> None:
    records = forms(example_dicts, tmp_path)[form]()
    assert example_policy.evaluate(records).to_json() == expected


def frame_with_datetime_columns(dicts: List[Dict[str, Any]], tz: str) -> Any:
    df = pd.DataFrame(dicts)
    for col in INSTANT_FIELDS:
        if col in df.columns:
            df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").dt.tz_convert(tz)
    return df


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_dataframe_datetime_columns(
    tz: str, example_policy: slakit.Policy, example_dicts: List[Dict[str, Any]], expected: str
) -> None:
    df = frame_with_datetime_columns(example_dicts, tz)
    assert isinstance(df["time"].dtype, pd.DatetimeTZDtype)
    assert example_policy.evaluate(df).to_json() == expected


@pytest.mark.parametrize("unit", ["ms", "us", "ns"])
@pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin"])
def test_arrow_timestamp_columns(
    unit: str, tz: str, example_policy: slakit.Policy, example_dicts: List[Dict[str, Any]],
    expected: str,
) -> None:
    table = pa.Table.from_pandas(
        frame_with_datetime_columns(example_dicts, tz), preserve_index=False
    )
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.timestamp(unit, tz=tz)))
    assert pa.types.is_timestamp(table.schema.field("time").type)
    assert example_policy.evaluate(table).to_json() == expected


@pytest.mark.parametrize(
    "dtype", ["object", "string[python]", "string[pyarrow]", "category", "large_string[pyarrow]"]
)
def test_dataframe_string_dtypes(
    dtype: str, example_policy: slakit.Policy, example_dicts: List[Dict[str, Any]], expected: str
) -> None:
    df = pd.DataFrame(example_dicts)
    for col in ["deployment", "event", "time", "service", "environment", "release_type", "kind"]:
        df[col] = df[col].astype(dtype)
    assert example_policy.evaluate(df).to_json() == expected


@pytest.mark.parametrize("target", ["string", "large_string", "string_view", "dictionary"])
def test_arrow_string_types(
    target: str, example_policy: slakit.Policy, example_dicts: List[Dict[str, Any]], expected: str
) -> None:
    table = arrow_table(example_dicts)
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type):
            col = table.column(i)
            if target == "dictionary":
                col = col.dictionary_encode()
            else:
                col = col.cast(getattr(pa, target)())
            table = table.set_column(i, field.name, col)
    assert example_policy.evaluate(table).to_json() == expected


def test_sliced_and_chunked_tables(
    example_policy: slakit.Policy, example_dicts: List[Dict[str, Any]]
) -> None:
    as_of = "2026-04-01T00:00:00Z"
    start, mid, end = (clean_cut(example_dicts, i) for i in (101, 434, 801))
    table = arrow_table(example_dicts)
    part = table.slice(start, end - start)
    expected = example_policy.evaluate(example_dicts[start:end], as_of=as_of).to_json()
    assert example_policy.evaluate(part, as_of=as_of).to_json() == expected
    chunked = pa.concat_tables([table.slice(start, mid - start), table.slice(mid, end - mid)])
    assert chunked.column(0).num_chunks == 2
    assert example_policy.evaluate(chunked, as_of=as_of).to_json() == expected
    df = pd.DataFrame(example_dicts).iloc[start:end]  # a non-default index is ignored
    assert example_policy.evaluate(df, as_of=as_of).to_json() == expected


def clean_cut(records: List[Dict[str, Any]], near: int) -> int:
    """The first index at or after `near` that no deployment straddles."""
    for i in range(near, len(records)):
        before = {r.get("deployment") for r in records[:i]}
        after = {r.get("deployment") for r in records[i:]}
        if not (before & after) - {None}:
            return i
    raise AssertionError("no clean cut")


def test_tables_are_not_converted_row_by_row(
    monkeypatch: pytest.MonkeyPatch, example_policy: slakit.Policy,
    example_dicts: List[Dict[str, Any]], expected: str,
) -> None:
    """A DataFrame's row-wise methods are never called, and the descriptors
    handed to the native module hold Arrow buffers (bytes) for the text and
    time columns: the only Python dicts are the cells of `attrs`, a column
    whose values are themselves objects."""
    from slakit import _tables

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a table was converted row by row")

    df = pd.DataFrame(example_dicts)
    for name in ["iterrows", "itertuples", "to_dict", "apply", "to_json", "to_records"]:
        monkeypatch.setattr(pd.DataFrame, name, forbidden)
    assert example_policy.evaluate(df).to_json() == expected

    table = arrow_table(example_dicts)
    for rows, columns in _tables.arrow_batches(table):
        assert rows == len(example_dicts)
        kinds = {name: desc[0] for name, desc in columns}
        text_columns = [f.name for f in table.schema if pa.types.is_string(f.type)]
        assert text_columns and all(kinds[n] == "utf8" for n in text_columns)
        for name, desc in columns:
            if desc[0] == "utf8":
                assert all(isinstance(b, (bytes, type(None))) for b in desc[2:6])
            if desc[0] == "objects" and name != "attrs":
                assert not any(isinstance(v, dict) for v in desc[1]), name


def test_null_cells_are_absent_fields(example_policy: slakit.Policy) -> None:
    rows: List[Dict[str, Any]] = [
        {"deployment": "d1", "event": "merged", "time": "2026-03-02T10:00:00Z",
         "service": "checkout", "environment": "production"},
        {"deployment": "d1", "event": "succeeded", "time": "2026-03-02T12:00:00Z"},
        {"kind": "outage", "service": "checkout", "from": "2026-03-03T10:00:00Z",
         "to": "2026-03-03T11:00:00Z"},
    ]
    expected = example_policy.evaluate(rows).to_json()
    df = pd.DataFrame(rows)
    assert df["deployment"].isna().sum() == 1
    assert example_policy.evaluate(df).to_json() == expected
    assert example_policy.evaluate(arrow_table(rows)).to_json() == expected
    # A report warns about unknown fields: a null cell must not count as one.
    assert "W" not in "".join(w["code"] for w in json.loads(expected)["warnings"] if "field" in w["message"])


def test_as_of_forms_agree(example_policy: slakit.Policy) -> None:
    from zoneinfo import ZoneInfo

    text = example_policy.evaluate(EXAMPLE_RECORDS, as_of="2026-03-15T12:00:00Z").to_json()
    for as_of in [
        datetime(2026, 3, 15, 12, tzinfo=timezone.utc),
        datetime(2026, 3, 15, 8, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 3, 15, 21, tzinfo=timezone(timedelta(hours=9))),
        pd.Timestamp("2026-03-15T12:00:00Z"),
        "2026-03-15T13:00:00+01:00",
        " 2026-03-15T12:00:00.000Z ",
    ]:
        assert example_policy.evaluate(EXAMPLE_RECORDS, as_of=as_of).to_json() == text, as_of
    latest = example_policy.evaluate(EXAMPLE_RECORDS, as_of=None)
    assert latest.as_of == "2026-03-31T20:45:00Z"


def test_records_object_is_reusable(example_policy: slakit.Policy) -> None:
    records = slakit.Records(EXAMPLE_RECORDS)
    assert len(records) == 1745
    assert records.file == str(EXAMPLE_RECORDS)
    a = example_policy.evaluate(records).to_json()
    b = example_policy.evaluate(records).to_json()
    assert a == b
    assert "1745 records" in repr(records)
    assert slakit.Records.of(records) is records


def test_records_type_errors(example_policy: slakit.Policy) -> None:
    with pytest.raises(TypeError):
        example_policy.evaluate({"deployment": "d1"})
    with pytest.raises(TypeError):
        example_policy.evaluate(b"{}")
    with pytest.raises(TypeError):
        example_policy.evaluate(42)
    with pytest.raises(TypeError):
        example_policy.evaluate(EXAMPLE_RECORDS, as_of=12345)


def test_numpy_scalars_and_mappings(example_policy: slakit.Policy) -> None:
    import types

    import numpy as np

    rows: Iterator[Any] = iter([
        types.MappingProxyType({"deployment": "d1", "event": "merged",
                                "time": "2026-03-02T10:00:00Z", "service": "checkout",
                                "attrs": {"n": np.int64(3), "x": np.float64(0.5), "ok": np.bool_(True)}}),
    ])
    report = example_policy.evaluate(rows, as_of="2026-03-03T00:00:00Z")
    assert report.inputs["records"] == 1
    plain = [{"deployment": "d1", "event": "merged", "time": "2026-03-02T10:00:00Z",
              "service": "checkout", "attrs": {"n": 3, "x": 0.5, "ok": True}}]
    assert report.to_json() == example_policy.evaluate(plain, as_of="2026-03-03T00:00:00Z").to_json()
