#!/usr/bin/env python3
"""Generate examples/records.jsonl: one quarter of Acme's deployment telemetry.

    python3 examples/generate_records.py            # writes examples/records.jsonl
    python3 examples/generate_records.py --stdout   # writes to standard output
    python3 examples/generate_records.py --scenarios  # also lists the scripted deployments

Python 3 standard library only. The output is deterministic: the random
generator is seeded with 20260101, nothing reads the clock, the environment
or the system time-zone database (the two time zones' 2026 DST rules are
written out below), and records are written in a fixed order. Running the
script twice gives byte-identical files.

What it produces (Q1 2026, 2026-01-01 .. 2026-03-31), as JSON Lines:
- a few hundred deployments of nine services (eight in the policy's catalog,
  plus the uncatalogued `status-page`), in production and staging, with the
  lifecycle events merged, approval_requested/approval_granted,
  started, succeeded, canary_passed/canary_failed, health_validated, failed,
  rollback_started/rollback_completed and preflight_failed;
- emergency deployments, each with an `exception` record (one never
  justified, one justified late, one still inside its justification period);
- incidents, some linked to the deployment that caused them, one updated by
  a second record with the same id;
- outages: one right after a deployment (charged to it by the change failure
  rate), one attributed to a vendor, one with no recent change, one right
  after a suspended emergency change;
- an `exclusion` record: a vendor (CDN) outage that pauses the clocks of the
  services that depend on it;
- deployments still in flight when the data ends (2026-03-31 16:45 New York),
  which is the report's default as_of.

Most deployments are drawn at random from simple per-service rates; a set of
scripted scenarios (see `scenarios()`) makes sure every feature the example
README talks about is present whatever the random draw.
"""

import json
import math
import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

SEED = 20260101
UTC = timezone.utc
OUT = Path(__file__).resolve().parent / "records.jsonl"

FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date(2026, 3, 31)

# ---------------------------------------------------------------------------
# Time zones (2026 rules only, so the system tz database is not needed)
# ---------------------------------------------------------------------------

ZONES = {
    # name: (standard offset h, DST offset h, DST start UTC, DST end UTC)
    "ny": (-5, -4, datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)),
    "berlin": (1, 2, datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)),
    "utc": (0, 0, None, None),
}

HOLIDAYS = {
    "ny": [date(2026, 1, 1), date(2026, 1, 19), date(2026, 2, 16)],
    "berlin": [date(2026, 1, 1)],
    "utc": [],
}


def offset_h(zone, t):
    std, dst, start, end = ZONES[zone]
    if start is not None and start <= t < end:
        return dst
    return std


def local(zone, d, hour, minute=0, second=0):
    """The UTC instant of a local wall time (never inside a DST gap here)."""
    naive = datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=UTC)
    std, dst, _, _ = ZONES[zone]
    for off in (dst, std):
        t = naive - timedelta(hours=off)
        if offset_h(zone, t) == off:
            return t
    return naive - timedelta(hours=std)


def local_dt(zone, t):
    return t + timedelta(hours=offset_h(zone, t))


def fmt(t, zone, millis=False):
    """RFC 3339 with the zone's offset (`Z` for utc)."""
    if zone == "utc":
        text = t.strftime("%Y-%m-%dT%H:%M:%S")
        if millis:
            text += ".%03d" % (t.microsecond // 1000)
        return text + "Z"
    off = offset_h(zone, t)
    lt = t + timedelta(hours=off)
    text = lt.strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        text += ".%03d" % (lt.microsecond // 1000)
    return text + ("+" if off >= 0 else "-") + "%02d:00" % abs(off)


def is_workday(zone, d):
    return d.weekday() < 5 and d not in HOLIDAYS[zone]


def next_workday(zone, d):
    d = d + timedelta(days=1)
    while not is_workday(zone, d):
        d = d + timedelta(days=1)
    return d


def in_hours(zone, t, start=9, end=17):
    lt = local_dt(zone, t)
    return is_workday(zone, lt.date()) and start <= lt.hour < end


def next_open(zone, t, rng, start=9, end=17):
    """`t` if it is inside working hours, else a little after the next opening."""
    if in_hours(zone, t, start, end):
        return t
    lt = local_dt(zone, t)
    d = lt.date()
    if not is_workday(zone, d) or lt.hour >= end:
        d = next_workday(zone, d)
    return local(zone, d, start) + timedelta(minutes=rng.randint(3, 50))


def minutes(n):
    return timedelta(minutes=n)


# ---------------------------------------------------------------------------
# The organisation
# ---------------------------------------------------------------------------

# service: (tier for behaviour, region zone, production deployments per week,
#           zone used to write its event times)
SERVICES = {
    "checkout": ("tier1", "ny", 5.0, "ny"),
    "payments-api": ("tier1", "ny", 2.6, "ny"),
    "search": ("tier2", "ny", 3.0, "utc"),
    "recommendations": ("tier2", "ny", 1.8, "ny"),
    "ledger-eu": ("tier1", "berlin", 3.6, "berlin"),
    "invoicing-eu": ("tier2", "berlin", 2.4, "berlin"),
    "wiki": ("tier3", "ny", 1.3, "utc"),
    "build-cache": ("tier3", "ny", 1.9, "utc"),
    "status-page": ("default", "ny", 0.6, "utc"),
}
# Only the uncatalogued service names its team in events (the catalog wins).
EVENT_TEAM = {"status-page": "sre"}

# The data ends here: the latest event, hence the report's default as_of.
AS_OF = local("ny", LAST_DAY, 16, 45)
# Internal tools' offsite week: no production deployment (a quiet week).
QUIET_WEEK = (local("ny", date(2026, 2, 23), 0), local("ny", date(2026, 3, 2), 0))


def poisson(rng, lam):
    # Knuth's method: fine for the small rates used here, and deterministic.
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def lognormal_hours(rng, median_h, sigma):
    return timedelta(hours=median_h * math.exp(rng.gauss(0.0, sigma)))


class Deployment:
    def __init__(self, service, environment, release_type, tag=None):
        self.service = service
        self.environment = environment
        self.release_type = release_type
        self.events = []  # (name, utc datetime, extra fields)
        self.tag = tag
        self.attrs = None
        self.id = None

    def add(self, name, t, **extra):
        self.events.append((name, t, extra))
        return t

    def first_time(self):
        return min(t for _, t, _ in self.events)

    def anchor(self):
        for name, t, _ in self.events:
            if name == "started":
                return t
        return self.first_time()

    def time_of(self, name):
        for n, t, _ in self.events:
            if n == name:
                return t
        return None


def daylight_start(zone, t, rng):
    """Production rollouts run in daylight: 08:00-19:00 local on workdays."""
    lt = local_dt(zone, t)
    if is_workday(zone, lt.date()) and 8 <= lt.hour < 19:
        return t
    return next_open(zone, t, rng, 9, 17)


TRAIN_HOUR = {"ny": 10, "berlin": 9}


def pipeline(rng, dep, zone, merged, *, approval_p, tier, fail_mode=None):
    """The events of one ordinary production deployment from its merge on."""
    dep.add("merged", merged)
    t = merged + minutes(rng.randint(12, 70))  # CI
    if rng.random() < approval_p:
        req = dep.add("approval_requested", t)
        granted = req + lognormal_hours(rng, 2.0, 1.0)
        granted = next_open(zone, granted, rng)  # approvers work office hours
        dep.add("approval_granted", granted)
        t = granted + minutes(rng.randint(4, 25))
    r = rng.random()
    if dep.release_type == "hotfix" or r < 0.70:
        start = daylight_start(zone, t + lognormal_hours(rng, 1.0, 0.8), rng)
    elif r < 0.93:
        # waits for the next morning's release train (an hour after opening)
        day = next_workday(zone, local_dt(zone, t).date())
        start = local(zone, day, TRAIN_HOUR[zone]) + minutes(rng.randint(0, 40))
    else:
        # blocked on a dependency for a few working days
        day = local_dt(zone, t).date()
        for _ in range(rng.randint(2, 3)):
            day = next_workday(zone, day)
        start = local(zone, day, TRAIN_HOUR[zone]) + minutes(rng.randint(0, 90))
    return rollout(rng, dep, start, tier=tier, fail_mode=fail_mode)


def rollout(rng, dep, start, *, tier, fail_mode=None, fast=False):
    """started .. health_validated (or a failure and its rollback)."""
    dep.add("started", start, **({"attrs": dep.attrs} if dep.attrs else {}))
    if fail_mode == "preflight":
        dep.add("preflight_failed", start + minutes(rng.randint(2, 6)))
        return
    if fail_mode == "deploy":
        failed = dep.add("failed", start + minutes(rng.randint(4, 25)))
        rb = dep.add("rollback_started", failed + minutes(rng.randint(1, 6)))
        dep.add("rollback_completed", rb + minutes(rng.randint(3, 25)))
        return
    base = (4, 14) if fast else ((14, 40) if tier == "tier1" else (6, 30))
    succeeded = dep.add("succeeded", start + minutes(rng.randint(*base)))
    t = succeeded
    if tier == "tier1" and dep.environment == "production":
        t = t + minutes(rng.randint(12, 35))
        if fail_mode == "canary":
            dep.add("canary_failed", t)
            dep.add("failed", t + minutes(1))
            rb = dep.add("rollback_started", t + minutes(rng.randint(2, 5)))
            dep.add("rollback_completed", rb + minutes(rng.randint(4, 15)))
            return
        dep.add("canary_passed", t)
    if rng.random() < 0.04 and not fast:
        # a slow health check: verification waits for the on-call engineer
        t = t + lognormal_hours(rng, 2.0, 0.5)
    healthy = dep.add("health_validated", t + minutes(rng.randint(8, 45)))
    if fail_mode == "late_rollback":
        # healthy at first, rolled back later the same day
        rb = dep.add("rollback_started", healthy + minutes(rng.randint(40, 200)))
        dep.add("rollback_completed", rb + minutes(rng.randint(5, 20)))


RELEASE_TYPES = [("minor", 0.50), ("patch", 0.34), ("major", 0.08), ("hotfix", 0.08)]


def pick(rng, weighted):
    x = rng.random()
    for value, w in weighted:
        if x < w:
            return value
        x -= w
    return weighted[-1][0]


def random_production(rng):
    deps = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        for service, (tier, zone, per_week, _) in SERVICES.items():
            if not is_workday(zone, day):
                continue
            for _ in range(poisson(rng, per_week / 5.0)):
                merged = local(zone, day, 9) + minutes(rng.randint(0, 8 * 60 + 30))
                if merged > AS_OF - timedelta(hours=3):
                    continue
                redeploy = rng.random() < 0.03
                dep = Deployment(service, "production", "patch" if redeploy else pick(rng, RELEASE_TYPES))
                dep.attrs = {"pipeline": rng.randint(40000, 49999), "commit": "%07x" % rng.getrandbits(28)}
                x = rng.random()
                fail_mode = None
                if x < 0.015:
                    fail_mode = "preflight"
                elif x < 0.045:
                    fail_mode = "deploy"
                elif x < 0.060 and tier == "tier1":
                    fail_mode = "canary"
                elif x < 0.070:
                    fail_mode = "late_rollback"
                approval_p = {"tier1": 0.40, "tier2": 0.30, "tier3": 0.15}.get(tier, 0.2)
                if redeploy:
                    # a redeploy of an existing build: no `merged` event (unmeasured lead time)
                    start = daylight_start(zone, merged, rng)
                    rollout(rng, dep, start, tier=tier, fail_mode=fail_mode)
                else:
                    pipeline(rng, dep, zone, merged, approval_p=approval_p, tier=tier, fail_mode=fail_mode)
                if service in ("wiki", "build-cache") and QUIET_WEEK[0] <= dep.anchor() < QUIET_WEEK[1]:
                    continue
                deps.append(dep)
        day += timedelta(days=1)
    return deps


def random_staging(rng):
    deps = []
    day = FIRST_DAY
    names = list(SERVICES)
    while day <= LAST_DAY:
        if is_workday("ny", day):
            for _ in range(poisson(rng, 1.4)):
                service = rng.choice(names)
                tier, zone, _, _ = SERVICES[service]
                start = local(zone, day, 8) + timedelta(seconds=rng.randint(0, 10 * 3600), milliseconds=rng.randint(0, 999))
                if start > AS_OF - timedelta(hours=2):
                    continue
                dep = Deployment(service, "staging", pick(rng, RELEASE_TYPES))
                rollout(rng, dep, start, tier=tier, fail_mode="deploy" if rng.random() < 0.08 else None, fast=True)
                deps.append(dep)
        day += timedelta(days=1)
    return deps


# ---------------------------------------------------------------------------
# Scripted scenarios: the cases examples/README.md points at
# ---------------------------------------------------------------------------


def scenarios():
    deps, other = [], []
    ny = "ny"

    def dep(service, rtype, tag, env="production"):
        d = Deployment(service, env, rtype, tag)
        deps.append(d)
        return d

    # 1. Deployments started inside the one-off maintenance window
    #    (policy exclusion `mw-2026-02-14-dc-migration`, effect exclude).
    d = dep("checkout", "minor", "excluded-by-maintenance-window")
    d.add("merged", local(ny, date(2026, 2, 13), 15, 10))
    d.add("started", local(ny, date(2026, 2, 14), 2, 40))
    d.add("succeeded", local(ny, date(2026, 2, 14), 3, 5))
    d.add("canary_passed", local(ny, date(2026, 2, 14), 3, 20))
    d.add("health_validated", local(ny, date(2026, 2, 14), 3, 35))
    d = dep("payments-api", "minor", "failed-inside-maintenance-window")
    d.add("merged", local(ny, date(2026, 2, 13), 16, 2))
    d.add("started", local(ny, date(2026, 2, 14), 3, 15))
    d.add("failed", local(ny, date(2026, 2, 14), 3, 26))
    d.add("rollback_started", local(ny, date(2026, 2, 14), 3, 28))
    d.add("rollback_completed", local(ny, date(2026, 2, 14), 3, 41))

    # 2. An approval requested on a Friday afternoon and granted on Monday
    #    (the weekend of the DST change): the approval pause in action.
    d = dep("checkout", "major", "approval-over-weekend")
    d.add("merged", local(ny, date(2026, 3, 6), 14, 20))
    d.add("approval_requested", local(ny, date(2026, 3, 6), 14, 50))
    d.add("approval_granted", local(ny, date(2026, 3, 9), 10, 5), id="CHG-2026-0305")
    d.add("started", local(ny, date(2026, 3, 9), 10, 30))
    d.add("succeeded", local(ny, date(2026, 3, 9), 10, 52))
    d.add("canary_passed", local(ny, date(2026, 3, 9), 11, 15))
    d.add("health_validated", local(ny, date(2026, 3, 9), 11, 40))

    # 3. A CDN vendor outage blocks health verification of checkout and
    #    search: an `exclusion` record pauses their clocks, and the vendor's
    #    outage is not charged to search's change.
    d = dep("checkout", "minor", "paused-by-vendor-exclusion")
    d.add("merged", local(ny, date(2026, 3, 18), 9, 30))
    d.add("started", local(ny, date(2026, 3, 18), 9, 52))
    d.add("succeeded", local(ny, date(2026, 3, 18), 10, 14))
    d.add("canary_passed", local(ny, date(2026, 3, 18), 13, 31))
    d.add("health_validated", local(ny, date(2026, 3, 18), 13, 45))
    d = dep("search", "patch", "vendor-outage-not-charged")
    d.add("merged", local(ny, date(2026, 3, 18), 8, 55))
    d.add("started", local(ny, date(2026, 3, 18), 9, 20))
    d.add("succeeded", local(ny, date(2026, 3, 18), 9, 40))
    d.add("health_validated", local(ny, date(2026, 3, 18), 9, 58))
    other.append({
        "kind": "exclusion", "id": "EXC-2026-007-edgecdn",
        "reason": "EdgeCDN regional outage blocked deployment verification",
        "from": fmt(local(ny, date(2026, 3, 18), 10, 0), "utc"),
        "to": fmt(local(ny, date(2026, 3, 18), 13, 30), "utc"),
        "services": ["checkout", "search"], "vendor": "edgecdn", "effect": "pause",
        "_emit": local(ny, date(2026, 3, 18), 10, 0),
    })
    other.append({
        "kind": "outage", "id": "OUT-2026-031", "service": "search",
        "from": fmt(local(ny, date(2026, 3, 18), 10, 5), "utc"),
        "to": fmt(local(ny, date(2026, 3, 18), 13, 20), "utc"),
        "vendor": "edgecdn",
        "_emit": local(ny, date(2026, 3, 18), 10, 5),
    })

    # 4. An outage of payments-api 38 minutes after a change: charged to it.
    d = dep("payments-api", "minor", "outage-charged-to-change")
    d.add("merged", local(ny, date(2026, 2, 10), 11, 5))
    d.add("started", local(ny, date(2026, 2, 10), 13, 40))
    d.add("succeeded", local(ny, date(2026, 2, 10), 14, 12))
    d.add("canary_passed", local(ny, date(2026, 2, 10), 14, 30))
    d.add("health_validated", local(ny, date(2026, 2, 10), 14, 44))
    other.append({
        "kind": "outage", "id": "OUT-2026-012", "service": "payments-api",
        "from": fmt(local(ny, date(2026, 2, 10), 14, 50), ny),
        "to": fmt(local(ny, date(2026, 2, 10), 15, 12), ny),
        "_emit": local(ny, date(2026, 2, 10), 14, 50),
    })

    # 5. Emergency changes: exempt from lead time by scope, suspended from
    #    every SLA by an emergency exception, justified afterwards (or not).
    emergencies = [
        # service, local day, hour, minute, zone, exception id, justified after (h) or None
        ("checkout", date(2026, 1, 9), 23, 40, ny, "EX-2026-001", 30),
        ("search", date(2026, 1, 22), 2, 15, ny, "EX-2026-002", None),  # never justified
        ("payments-api", date(2026, 2, 3), 19, 30, ny, "EX-2026-003", 24 * 9),  # justified late
        ("checkout", date(2026, 2, 24), 22, 10, ny, "EX-2026-004", 14),
        ("ledger-eu", date(2026, 3, 12), 21, 0, "berlin", "EX-2026-006", 20),
        ("checkout", date(2026, 3, 30), 1, 20, ny, "EX-2026-011", None),  # still within 3d
    ]
    approvers = ["vp-eng@acme.example", "oncall-director@acme.example"]
    for i, (service, day, hh, mm, zone, ex_id, justified_h) in enumerate(emergencies):
        d = dep(service, "emergency", "emergency-" + ex_id)
        merged = d.add("merged", local(zone, day, hh, mm))
        started = d.add("started", merged + minutes(9))
        succeeded = d.add("succeeded", started + minutes(16))
        healthy = d.add("health_validated", succeeded + minutes(18))
        ex = {
            "kind": "exception", "id": ex_id, "deployments": None,  # filled once ids exist
            "from": fmt(merged - minutes(20), "utc"),
            "to": fmt(healthy + minutes(30), "utc"),
            "emergency": True,
            "approved_by": approvers[i % 2],
            "_emit": merged - minutes(20),
            "_dep": d,
        }
        if justified_h is not None:
            ex["justification"] = "sev1 customer impact; fix verified in production; postmortem PM-%s" % ex_id[-3:]
            ex["justified_at"] = fmt(healthy + minutes(30) + timedelta(hours=justified_h), "utc")
        other.append(ex)
        if ex_id == "EX-2026-004":
            # an outage right after the (suspended) emergency change: nobody is charged
            other.append({
                "kind": "outage", "id": "OUT-2026-019", "service": "checkout",
                "from": fmt(succeeded + minutes(34), ny),
                "to": fmt(succeeded + minutes(49), ny),
                "_emit": succeeded + minutes(34),
            })

    # 6. An outage with no change in the two hours before it.
    other.append({
        "kind": "outage", "id": "OUT-2026-004", "service": "wiki",
        "from": "2026-01-27T08:00:00Z", "to": "2026-01-27T08:40:00Z",
        "_emit": datetime(2026, 1, 27, 8, tzinfo=UTC),
    })

    # 6b. A night-time EdgeCDN outage in front of search, with no change in
    #     the two hours before it and no exclusion: all 55 minutes count
    #     against the vendor's 99.9% promise for February (policy `vendors`),
    #     so EdgeCDN owes a credit for that month.
    other.append({
        "kind": "outage", "id": "OUT-2026-021", "service": "search",
        "from": "2026-02-21T03:10:00Z", "to": "2026-02-21T04:05:00Z",
        "vendor": "edgecdn",
        "_emit": datetime(2026, 2, 21, 3, 10, tzinfo=UTC),
    })

    # 7. A Sunday-night build-cache rollout that waits out the Sunday
    #    02:00-04:00 maintenance slot (policy exclusion `sunday-maintenance`).
    d = dep("build-cache", "minor", "paused-by-sunday-maintenance")
    d.add("merged", local(ny, date(2026, 3, 20), 16, 5))
    d.add("started", local(ny, date(2026, 3, 22), 1, 30))
    d.add("succeeded", local(ny, date(2026, 3, 22), 1, 52))
    d.add("health_validated", local(ny, date(2026, 3, 22), 4, 20))

    # 8. A preflight abort: excluded from every SLA, not a failure.
    d = dep("search", "minor", "preflight-aborted")
    d.add("merged", local(ny, date(2026, 3, 10), 10, 0))
    d.add("started", local(ny, date(2026, 3, 10), 10, 45))
    d.add("preflight_failed", local(ny, date(2026, 3, 10), 10, 49))

    # 9. Still in flight when the data ends (2026-03-31 16:45 New York).
    d = dep("search", "minor", "in-flight-at-risk")
    d.add("merged", local(ny, date(2026, 3, 30), 9, 10))
    d.add("started", local(ny, date(2026, 3, 30), 11, 5))
    d.add("succeeded", local(ny, date(2026, 3, 30), 11, 24))
    d = dep("payments-api", "minor", "in-flight-already-breached")
    d.add("merged", local(ny, date(2026, 3, 30), 11, 0))
    d.add("started", local(ny, date(2026, 3, 30), 15, 30))
    d.add("succeeded", local(ny, date(2026, 3, 30), 15, 58))
    d.add("canary_passed", local(ny, date(2026, 3, 30), 16, 20))
    d = dep("search", "minor", "in-flight-awaiting-approval")
    d.add("merged", local(ny, date(2026, 3, 30), 9, 20))
    d.add("approval_requested", local(ny, date(2026, 3, 30), 9, 50))
    d = dep("ledger-eu", "minor", "in-flight-eu-at-risk")
    d.add("merged", local("berlin", LAST_DAY, 9, 0))
    d.add("started", local("berlin", LAST_DAY, 9, 35))
    d.add("succeeded", local("berlin", LAST_DAY, 10, 5))
    d.add("canary_passed", local("berlin", LAST_DAY, 10, 30))
    d = dep("wiki", "patch", "in-flight-just-started")
    d.add("merged", local(ny, LAST_DAY, 15, 30))
    d.add("started", AS_OF)  # the latest event of the file: the default as_of

    return deps, other


def incidents(rng, deps):
    """Incidents linked to changes that caused them, plus a few unrelated ones."""
    out = []
    candidates = [
        d for d in deps
        if d.environment == "production" and d.tag is None and d.time_of("health_validated")
        and d.release_type != "emergency" and d.time_of("health_validated") < AS_OF - timedelta(days=2)
    ]
    rng.shuffle(candidates)
    linked = sorted(candidates[:9], key=lambda d: d.time_of("health_validated"))
    for i, d in enumerate(linked):
        opened = d.time_of("health_validated") + minutes(rng.randint(25, 20 * 60))
        resolved = opened + minutes(rng.randint(30, 300))
        inc = {
            "kind": "incident", "id": "INC-%d" % (4700 + 3 * i), "service": d.service,
            "opened": fmt(opened, "utc"), "resolved": fmt(resolved, "utc"),
            "_dep": d, "severity": rng.choice(["sev2", "sev3", "sev3"]), "_emit": opened,
        }
        if i == 4:
            # The first webhook is sent while the incident is open; the ticket is
            # updated once it is resolved (same id: one incident).
            first = dict(inc)
            del first["resolved"]
            first["severity"] = "sev2"
            out.append(first)
            update = dict(inc)
            update["severity"] = "sev2"
            update["_emit"] = resolved
            out.append(update)
        else:
            out.append(inc)
    unrelated = [
        ("INC-4690", "search", datetime(2026, 1, 14, 15, 2, tzinfo=UTC), 95),
        ("INC-4741", "wiki", datetime(2026, 2, 19, 18, 30, tzinfo=UTC), 40),
        ("INC-4788", "checkout", datetime(2026, 3, 31, 18, 5, tzinfo=UTC), None),  # still open
    ]
    for inc_id, service, opened, duration in unrelated:
        rec = {"kind": "incident", "id": inc_id, "service": service, "opened": fmt(opened, "utc"),
               "severity": "sev3", "_emit": opened}
        if duration is not None:
            rec["resolved"] = fmt(opened + minutes(duration), "utc")
        out.append(rec)
    return out


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

EVENT_ORDER = {
    "merged": 0, "approval_requested": 1, "approval_granted": 2, "started": 3,
    "preflight_failed": 4, "succeeded": 5, "canary_passed": 6, "canary_failed": 6,
    "health_validated": 7, "failed": 8, "rollback_started": 9, "rollback_completed": 10,
}


def build(scenario_ids=None):
    rng = random.Random(SEED)
    deps = random_production(rng) + random_staging(rng)
    scripted, other = scenarios()
    deps += scripted
    # Events after the end of the data have not happened yet.
    for d in deps:
        d.events = [e for e in d.events if e[1] <= AS_OF]
    deps = [d for d in deps if d.events]
    # Deployment ids follow the order of first events, like a CI counter.
    deps.sort(key=lambda d: (d.first_time(), d.service, d.environment, d.release_type, d.tag or ""))
    for i, d in enumerate(deps):
        d.id = "D-%04d" % (1001 + i)
        if scenario_ids is not None and d.tag:
            scenario_ids.append((d.tag, d.id))
    other += incidents(rng, deps)

    records = []
    for d in deps:
        zone = SERVICES[d.service][3]
        millis = d.environment == "staging"
        events = sorted(d.events, key=lambda e: (e[1], EVENT_ORDER.get(e[0], 99)))
        for n, (name, t, extra) in enumerate(events):
            rec = {"deployment": d.id, "event": name, "time": fmt(t, zone, millis)}
            if n == 0:
                rec["service"] = d.service
                rec["environment"] = d.environment
                rec["release_type"] = d.release_type
                if d.service in EVENT_TEAM:
                    rec["team"] = EVENT_TEAM[d.service]
            if "id" in extra:
                rec["id"] = extra["id"]
            if "attrs" in extra:
                rec["attrs"] = extra["attrs"]
            if n == 0 and d.tag:
                # scripted scenarios say what they illustrate (attrs are passed through)
                rec["attrs"] = {"scenario": d.tag}
            records.append((t, 0, rec))
    for rec in other:
        rec = dict(rec)
        emit = rec.pop("_emit")
        dep = rec.pop("_dep", None)
        if rec["kind"] == "exception":
            rec["deployments"] = [dep.id]
        elif rec["kind"] == "incident" and dep is not None:
            rec["deployment"] = dep.id
        if emit <= AS_OF:
            records.append((emit, 1, rec))
    records.sort(key=lambda r: (r[0], r[1], json.dumps(r[2], sort_keys=True)))
    lines = [json.dumps(rec, separators=(",", ":"), ensure_ascii=False) for _, _, rec in records]
    return "\n".join(lines) + "\n", len(deps)


def main(argv):
    scenario_ids = [] if "--scenarios" in argv else None
    text, n_deps = build(scenario_ids)
    if "--stdout" in argv:
        sys.stdout.write(text)
    else:
        OUT.write_text(text, encoding="utf-8")
        sys.stderr.write("wrote %d records (%d deployments) to %s\n" % (text.count("\n"), n_deps, OUT))
    if scenario_ids is not None:
        for tag, dep_id in sorted(scenario_ids):
            sys.stderr.write("%-36s %s\n" % (tag, dep_id))


if __name__ == "__main__":
    main(sys.argv[1:])
