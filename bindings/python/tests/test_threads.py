"""One policy, many threads: identical results, and the GIL released while
the engine runs (ADVERSARIAL §39)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Tuple

import slakit
from conftest import EXAMPLE_RECORDS


def test_adv_39_eight_threads_evaluating_one_policy_agree(example_policy: slakit.Policy) -> None:
    records = slakit.Records(EXAMPLE_RECORDS)
    expected = example_policy.evaluate(records).to_json()
    barrier = threading.Barrier(8)

    def work(i: int) -> List[str]:
        barrier.wait()
        out = []
        for j in range(5):
            # Mix shared Records with per-thread conversion of the same file.
            source = records if (i + j) % 2 else EXAMPLE_RECORDS
            out.append(example_policy.evaluate(source).to_json())
        return out

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [r for batch in pool.map(work, range(8)) for r in batch]
    assert len(results) == 40
    assert all(r == expected for r in results)


def test_eight_threads_explain_and_fail_alike(example_policy: slakit.Policy) -> None:
    records = slakit.Records(EXAMPLE_RECORDS)

    def work(i: int) -> Any:
        explanation = example_policy.explain(records, "D-1271")
        try:
            example_policy.evaluate(records, as_of="not an instant")
        except slakit.UsageError as e:
            return explanation, e.code
        return explanation, None

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert all(r == results[0] for r in results)
    assert results[0][1] == "E300"


def synthetic_records(deployments: int) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for i in range(deployments):
        day = 1 + i % 28
        minute = i % 600
        out.append({"deployment": f"d{i}", "event": "merged", "service": f"svc{i % 7}",
                    "time": f"2026-03-{day:02d}T{8 + minute // 60:02d}:{minute % 60:02d}:00Z"})
        out.append({"deployment": f"d{i}", "event": "succeeded",
                    "time": f"2026-03-{day:02d}T{9 + minute // 60:02d}:{minute % 60:02d}:30Z"})
    return out


GATE_POLICY = """
slakit: 1
name: threads
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded}
    window: month
    group_by: [service]
    targets: {default: {max: 1h, objective: 90%}}   # every synthetic deployment breaches
gates:
  circuit_breaker: {max_breached: 3, scope: service}
  error_budget: deny_when_exhausted
"""


def ticks_inside(call: Callable[[], object], runs: int = 3) -> Tuple[int, List[float]]:
    """Run `call` `runs` times while another thread ticks every millisecond:
    the ticks strictly inside the calls, and the durations."""
    ticks: List[float] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        time.sleep(0.02)
        durations = []
        inside = 0
        for _ in range(runs):
            start = time.perf_counter()
            call()
            end = time.perf_counter()
            durations.append(end - start)
            # Ticks recorded strictly inside the call: the ticker ran while
            # the engine worked, which it cannot do if the GIL is held.
            inside += sum(1 for t in list(ticks) if start + 0.002 < t < end - 0.002)
    finally:
        stop.set()
        thread.join()
    return inside, durations


def test_the_gil_is_released_while_evaluating(example_policy: slakit.Policy) -> None:
    records = slakit.Records(synthetic_records(25_000))
    example_policy.evaluate(records)  # warm up
    inside, durations = ticks_inside(lambda: example_policy.evaluate(records))
    total = sum(durations)
    assert total > 0.05, f"evaluation too quick ({total:.3f}s) to observe the GIL"
    # With the GIL held the ticker gets ~0 ticks; released, ~1 per ms.
    assert inside >= max(5, int(total * 1000 * 0.2)), (inside, durations)


def test_the_gil_is_released_while_gating() -> None:
    policy = slakit.Policy.from_yaml(GATE_POLICY)
    # Enough history that one call outlasts the 4 ms margins of ticks_inside.
    records = slakit.Records(synthetic_records(20_000))
    proposed = {"deployment": "next", "service": "svc1"}
    at = "2026-03-31T00:00:00Z"
    warm_up = policy.gate(records, proposed, at)
    assert not warm_up.allowed  # the breaker and the budget read every record
    # A gate reads only what its gates need, so one call is quick: time many.
    inside, durations = ticks_inside(lambda: policy.gate(records, proposed, at), runs=40)
    total = sum(durations)
    assert total > 0.05, f"gate too quick ({total:.3f}s) to observe the GIL"
    assert inside >= max(5, int(total * 1000 * 0.2)), (inside, durations)


def test_eight_threads_gating_one_policy_agree() -> None:
    policy = slakit.Policy.from_yaml(GATE_POLICY)
    records = slakit.Records(synthetic_records(500))
    at = "2026-03-31T00:00:00Z"
    expected = [policy.gate(records, {"deployment": "next", "service": f"svc{i % 7}"}, at).to_json()
                for i in range(8)]
    barrier = threading.Barrier(8)

    def work(i: int) -> List[str]:
        barrier.wait()
        return [policy.gate(records, {"deployment": "next", "service": f"svc{i % 7}"}, at).to_json()
                for _ in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert all(batch == [expected[i]] * 5 for i, batch in enumerate(results))
