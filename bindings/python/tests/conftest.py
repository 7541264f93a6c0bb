"""Shared fixtures: the workspace paths, the bundled example, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_POLICY = ROOT / "examples" / "policy.yaml"
EXAMPLE_RECORDS = ROOT / "examples" / "records.jsonl"
VECTORS = ROOT / "tests" / "conformance"


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `slakit` CLI, built (debug) by cargo if needed: the reference the
    Python report must match byte for byte."""
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.fail("cargo is needed to build the CLI the Python reports are compared with")
    subprocess.run([cargo, "build", "-q", "-p", "slakit-cli"], cwd=ROOT, check=True)
    path = target_dir() / "debug" / "slakit"
    assert path.is_file(), path
    return path


@pytest.fixture(scope="session")
def example_dicts() -> List[Dict[str, Any]]:
    with EXAMPLE_RECORDS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def example_policy():  # type: ignore[no-untyped-def]
    import slakit

    return slakit.Policy.load(EXAMPLE_POLICY)
