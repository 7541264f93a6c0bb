"""docs/python.md: every ```python block runs, in order, from the repository root."""

from __future__ import annotations

import re
from typing import Any, Dict

import pytest

from conftest import ROOT

DOC = ROOT / "docs" / "python.md"


def blocks() -> list:  # type: ignore[type-arg]
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_quickstart_has_code() -> None:
    assert len(blocks()) >= 4


def test_the_python_blocks_run(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    monkeypatch.chdir(ROOT)
    namespace: Dict[str, Any] = {"__name__": "__docs__"}
    for i, code in enumerate(blocks(), start=1):
        try:
            exec(compile(code, f"{DOC.name}[block {i}]", "exec"), namespace)
        except Exception as e:
            raise AssertionError(f"docs/python.md block {i} failed: {e!r}\n{code}") from e
