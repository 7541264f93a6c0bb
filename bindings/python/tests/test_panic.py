"""A Rust panic becomes slakit.InternalError, never PanicException
(ADVERSARIAL §38), and the interpreter carries on."""

from __future__ import annotations

import pytest

import slakit
from conftest import EXAMPLE_RECORDS


@pytest.mark.parametrize("detach", [False, True], ids=["gil-held", "gil-released"])
def test_adv_38_a_panic_is_an_internal_error(detach: bool) -> None:
    with pytest.raises(slakit.SlakitError) as info:
        slakit._slakit._panic_for_tests(detach)
    e = info.value
    assert type(e) is slakit.InternalError
    assert isinstance(e, Exception)
    assert type(e).__name__ != "PanicException"
    assert e.code == "E900"
    assert "forced panic for tests" in e.message
    assert "bug" in e.message


def test_adv_38_except_exception_catches_it() -> None:
    try:
        slakit._slakit._panic_for_tests(True)
    except Exception as e:  # noqa: BLE001 - the point of the test
        assert isinstance(e, slakit.SlakitError)
    else:
        pytest.fail("no exception")


def test_the_engine_works_after_a_panic(example_policy: slakit.Policy) -> None:
    for _ in range(3):
        with pytest.raises(slakit.InternalError):
            slakit._slakit._panic_for_tests(True)
    assert example_policy.evaluate(EXAMPLE_RECORDS).results
