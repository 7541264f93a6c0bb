"""Column descriptors for tables: a pandas DataFrame or an Arrow table is
handed to the native module column by column (Arrow buffers, NumPy arrays
or one list per column), never as one Python dict per row.

pandas and pyarrow stay optional: nothing here imports them unless the
caller passed one of their objects (or an object that speaks the Arrow
PyCapsule stream protocol, which needs pyarrow to read).
"""

from __future__ import annotations

import sys
from typing import Any, List, Optional, Tuple

# (rows, [(column name, descriptor)]): see bindings/python/src/columns.rs.
Batch = Tuple[int, List[Tuple[str, Tuple[Any, ...]]]]


def is_dataframe(obj: object) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def is_arrow(obj: object) -> bool:
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(obj, (pa.Table, pa.RecordBatch))


def speaks_arrow(obj: object) -> bool:
    """Polars, DuckDB and others: the Arrow PyCapsule stream protocol."""
    return hasattr(obj, "__arrow_c_stream__")


def _bytes(buf: Any) -> Optional[bytes]:
    return None if buf is None else buf.to_pybytes()


def _column_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"column names must be strings, not {type(name).__name__} `{name!r}`")
    return name


# --------------------------------------------------------------------------
# Arrow
# --------------------------------------------------------------------------


def _arrow_column(arr: Any) -> Tuple[Any, ...]:
    import pyarrow as pa

    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t):
        arr = arr.cast(pa.large_string())
        t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        validity, offsets, data = arr.buffers()
        return (
            "utf8",
            arr.offset,
            _bytes(validity) if arr.null_count else None,
            None,
            _bytes(offsets),
            _bytes(data),
            pa.types.is_large_string(t),
        )
    if pa.types.is_timestamp(t):
        validity, values = arr.buffers()
        return (
            "time",
            arr.offset,
            _bytes(validity) if arr.null_count else None,
            None,
            _bytes(values),
            t.unit,
            t.tz is None,
        )
    if pa.types.is_null(t):
        return ("objects", [None] * len(arr), None, False)
    # Other types (bool, numbers, lists, structs): one Python list per column.
    # A struct has every member in every row, null where the source had none:
    # those nulls are left out, as a null cell is.
    return ("objects", arr.to_pylist(), None, True)


def arrow_batches(table: Any) -> List[Batch]:
    """A ``pyarrow.Table`` or ``RecordBatch``, one descriptor per column and batch."""
    import pyarrow as pa

    batches = table.to_batches() if isinstance(table, pa.Table) else [table]
    out: List[Batch] = []
    for batch in batches:
        names = [_column_name(n) for n in batch.schema.names]
        out.append((batch.num_rows, [(n, _arrow_column(c)) for n, c in zip(names, batch.columns)]))
    return out


def stream_batches(obj: Any) -> List[Batch]:
    """Anything with ``__arrow_c_stream__`` (polars, DuckDB, ...), read with pyarrow."""
    try:
        import pyarrow as pa
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise TypeError(
            f"reading a `{type(obj).__name__}` needs pyarrow (pip install pyarrow)"
        ) from e
    return arrow_batches(pa.table(obj))


# --------------------------------------------------------------------------
# pandas
# --------------------------------------------------------------------------


def _pandas_column(s: Any) -> Tuple[Any, ...]:
    import numpy as np
    import pandas as pd

    dtype = s.dtype
    missing = s.isna().to_numpy(dtype=bool)
    mask = missing.tobytes() if missing.any() else None
    if isinstance(dtype, pd.DatetimeTZDtype) or getattr(dtype, "kind", None) == "M":
        naive = not isinstance(dtype, pd.DatetimeTZDtype)
        values = s if naive else s.dt.tz_convert("UTC").dt.tz_localize(None)
        array = values.to_numpy()
        unit = np.datetime_data(array.dtype)[0]
        if unit not in ("s", "ms", "us", "ns"):
            array = array.astype("datetime64[ns]")
            unit = "ns"
        ints = np.ascontiguousarray(array.view("i8"), dtype="<i8")
        return ("time", 0, None, mask, ints.tobytes(), unit, naive)
    storage = getattr(dtype, "storage", None)
    if "pyarrow" in sys.modules and (
        (isinstance(dtype, pd.StringDtype) and storage == "pyarrow")
        or (isinstance(dtype, getattr(pd, "ArrowDtype", ())) and "string" in str(dtype))
    ):
        import pyarrow as pa

        arr = pa.array(s.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        desc = _arrow_column(arr)
        if desc[0] == "utf8":
            return desc
    return ("objects", s.tolist(), mask, False)


def pandas_batches(df: Any) -> List[Batch]:
    """A ``pandas.DataFrame``: one descriptor per column (its index is ignored)."""
    names = [_column_name(n) for n in df.columns]
    if len(set(names)) != len(names):
        raise ValueError("the DataFrame has duplicate column names")
    return [(len(df), [(n, _pandas_column(df[n])) for n in names])]
