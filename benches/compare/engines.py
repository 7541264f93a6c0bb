#!/usr/bin/env python3
"""The SQL and dataframe side of `make compare`: DuckDB and pandas compute
the rows of benches/compare/policy.yaml from `slakit generate` records.

    python engines.py duckdb|pandas RECORDS.jsonl OUT.json

OUT.json is {"rows": [[sla, window_start, service, n1, n2, n3], ...]} with
  lead-time-24x7:      measured, met, breached
  success-rate:        measured, succeeded, failed
  change-failure-rate: measured, caused_failure, 0
for every (SLA, UTC month, service) with at least one in-scope deployment,
as slakit reports them (SPEC §4.3, §5.1, §5.5, §6.1, §6.2). compare.py
times this script as a whole (reading the file included, as slakit's figure
includes reading it) and checks the rows against slakit's.

What this subset assumes of the data, true of `slakit generate` output: each
lifecycle event name occurs at most once per deployment (so "the first X at
or after start" is "the X"), no exceptions or exclusions apply (the compare
policy has none), an incident has one record, times are UTC (`Z`). The
policy's 4h target is MAX_MS below.
"""

import json
import sys

MAX_MS = 4 * 3600 * 1000
ATTRIBUTION_MS = 3600 * 1000

DUCKDB_SQL = """
CREATE TEMP TABLE r AS
SELECT * FROM read_json(?, format = 'newline_delimited', columns = {
    'kind': 'VARCHAR', 'deployment': 'VARCHAR', 'event': 'VARCHAR', 'time': 'TIMESTAMP',
    'service': 'VARCHAR', 'environment': 'VARCHAR', 'release_type': 'VARCHAR',
    'id': 'VARCHAR', 'opened': 'TIMESTAMP', 'from': 'TIMESTAMP', 'vendor': 'VARCHAR'});

CREATE TEMP TABLE dep AS
WITH ev AS (
    SELECT deployment, event, epoch_ms(time) AS t, service, environment, release_type
    FROM r WHERE kind IS NULL OR kind = 'event'
)
SELECT deployment,
    any_value(service) FILTER (WHERE service IS NOT NULL) AS service,
    any_value(environment) FILTER (WHERE environment IS NOT NULL) AS environment,
    any_value(release_type) FILTER (WHERE release_type IS NOT NULL) AS release_type,
    coalesce(min(t) FILTER (WHERE event = 'started'), min(t)) AS anchor,
    min(t) FILTER (WHERE event = 'merged') AS merged,
    min(t) FILTER (WHERE event = 'approval_requested') AS req,
    min(t) FILTER (WHERE event = 'approval_granted') AS granted,
    min(t) FILTER (WHERE event = 'health_validated') AS hv,
    coalesce(min(t) FILTER (WHERE event = 'succeeded'),
             min(t) FILTER (WHERE event = 'health_validated')) AS succ_t,
    bool_or(event = 'preflight_failed') AS preflight,
    bool_or(event IN ('failed', 'rollback_started', 'rollback_completed')) AS has_fail,
    bool_or(event IN ('succeeded', 'health_validated')) AS has_succ
FROM ev GROUP BY deployment;

CREATE TEMP TABLE cutoff AS SELECT max(epoch_ms(time)) AS as_of FROM r WHERE kind IS NULL OR kind = 'event';

-- Lead time (24x7): merged -> health_validated, the approval wait paused.
CREATE TEMP TABLE lead AS
WITH d AS (
    SELECT dep.*, coalesce(hv, as_of) AS end_t FROM dep, cutoff
    WHERE environment = 'production' AND (release_type IS NULL OR release_type <> 'emergency')
), e AS (
    SELECT *, CASE WHEN req IS NULL THEN 0
               ELSE greatest(least(coalesce(granted, end_t), end_t) - greatest(req, merged), 0) END AS paused
    FROM d
)
SELECT strftime(date_trunc('month', epoch_ms(anchor)), '%Y-%m-%dT%H:%M:%SZ') AS win, service,
    CASE WHEN preflight THEN 'excluded'
         WHEN merged IS NULL THEN 'unmeasured'
         WHEN (end_t - merged) - paused > {max_ms} THEN 'breached'
         WHEN hv IS NOT NULL THEN 'met'
         ELSE 'in_flight' END AS state
FROM e;

CREATE TEMP TABLE rated AS
SELECT deployment, service, succ_t,
    strftime(date_trunc('month', epoch_ms(anchor)), '%Y-%m-%dT%H:%M:%SZ') AS win,
    CASE WHEN preflight THEN 'excluded' WHEN has_fail THEN 'failed'
         WHEN has_succ THEN 'succeeded' ELSE 'in_progress' END AS outcome
FROM dep WHERE environment = 'production';

-- Change failure rate: failed, or linked by an incident, or charged an
-- outage (no vendor) as the latest change of the service in (o - 1h, o].
CREATE TEMP TABLE caused AS
WITH o AS (
    SELECT epoch_ms("from") AS o, service FROM r, cutoff
    WHERE kind = 'outage' AND vendor IS NULL AND epoch_ms("from") <= as_of
), cand AS (
    SELECT deployment, service, succ_t FROM rated WHERE succ_t IS NOT NULL
), latest AS (
    SELECT o.service, max(c.succ_t) AS lt FROM o JOIN cand c
      ON c.service = o.service AND c.succ_t > o.o - {attribution_ms} AND c.succ_t <= o.o
    GROUP BY o.o, o.service
)
SELECT DISTINCT c.deployment FROM latest l JOIN cand c ON c.service = l.service AND c.succ_t = l.lt
UNION
SELECT DISTINCT r.deployment FROM r, cutoff
WHERE r.kind = 'incident' AND r.deployment IS NOT NULL AND epoch_ms(r.opened) <= as_of;
"""

DUCKDB_ROWS = """
SELECT 'lead-time-24x7', win, service,
    count(*) FILTER (WHERE state IN ('met', 'breached')),
    count(*) FILTER (WHERE state = 'met'),
    count(*) FILTER (WHERE state = 'breached')
FROM lead GROUP BY win, service
UNION ALL
SELECT 'success-rate', win, service,
    count(*) FILTER (WHERE outcome IN ('succeeded', 'failed')),
    count(*) FILTER (WHERE outcome = 'succeeded'),
    count(*) FILTER (WHERE outcome = 'failed')
FROM rated GROUP BY win, service
UNION ALL
SELECT 'change-failure-rate', rated.win, rated.service,
    count(*) FILTER (WHERE outcome IN ('succeeded', 'failed')),
    count(*) FILTER (WHERE outcome = 'failed'
                     OR (outcome = 'succeeded' AND caused.deployment IS NOT NULL)),
    0
FROM rated LEFT JOIN caused USING (deployment) GROUP BY rated.win, rated.service
"""


def run_duckdb(path):
    import duckdb

    con = duckdb.connect()
    sql = DUCKDB_SQL.replace("{max_ms}", str(MAX_MS)).replace(
        "{attribution_ms}", str(ATTRIBUTION_MS)
    )
    statements = [s.strip() for s in sql.split(";") if s.strip()]
    for s in statements:
        if "read_json(?" in s:
            con.execute(s, [path])
        else:
            con.execute(s)
    return [list(r) for r in con.execute(DUCKDB_ROWS).fetchall()]


def ms(series):
    """UTC milliseconds of a timestamp column without NaT."""
    return series.astype("datetime64[ms, UTC]").astype("int64")


def run_pandas(path):
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.json as pj

    ts = pa.timestamp("ms", tz="UTC")
    schema = pa.schema(
        [
            ("kind", pa.string()),
            ("deployment", pa.string()),
            ("event", pa.string()),
            ("time", ts),
            ("service", pa.string()),
            ("environment", pa.string()),
            ("release_type", pa.string()),
            ("opened", ts),
            ("from", ts),
            ("vendor", pa.string()),
        ]
    )
    table = pj.read_json(
        path,
        parse_options=pj.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="ignore"
        ),
    )
    df = table.to_pandas()
    ev = df[df["kind"].isna() | (df["kind"] == "event")]
    ev = ev.assign(t=ms(ev["time"]))
    as_of = int(ev["t"].max())

    per = ev.pivot_table(index="deployment", columns="event", values="t", aggfunc="min")
    attrs = ev.groupby("deployment")[["service", "environment", "release_type"]].first()
    first = ev.groupby("deployment")["t"].min()
    dep = attrs.join(per).join(first.rename("first_t"))

    def col(name):
        return dep[name] if name in dep.columns else pd.Series(np.nan, index=dep.index)

    started, merged, req, granted, hv = (
        col("started"), col("merged"), col("approval_requested"),
        col("approval_granted"), col("health_validated"),
    )
    anchor = started.fillna(dep["first_t"]).astype("int64")
    win = pd.to_datetime(anchor, unit="ms", utc=True).dt.strftime("%Y-%m-01T00:00:00Z")
    preflight = col("preflight_failed").notna()
    has_fail = col("failed").notna() | col("rollback_started").notna() | col("rollback_completed").notna()
    has_succ = col("succeeded").notna() | hv.notna()
    succ_t = col("succeeded").fillna(hv)
    prod = dep["environment"] == "production"

    rows = []

    # Lead time (24x7).
    in_lead = prod & ((dep["release_type"] != "emergency") | dep["release_type"].isna())
    end_t = hv.fillna(as_of)
    lo = np.maximum(req, merged)
    hi = np.minimum(granted.fillna(end_t), end_t)
    paused = (hi - lo).clip(lower=0).where(req.notna(), 0)
    elapsed = (end_t - merged) - paused
    state = np.select(
        [preflight, merged.isna(), elapsed > MAX_MS, hv.notna()],
        ["excluded", "unmeasured", "breached", "met"],
        default="in_flight",
    )
    lead = pd.DataFrame({"win": win, "service": dep["service"], "state": state})[in_lead]
    lead["met"] = lead["state"] == "met"
    lead["breached"] = lead["state"] == "breached"
    g = lead.groupby(["win", "service"])[["met", "breached"]].sum()
    for (w, s), r in g.iterrows():
        rows.append(["lead-time-24x7", w, s, int(r.met + r.breached), int(r.met), int(r.breached)])

    # Outcomes.
    outcome = np.select(
        [preflight, has_fail, has_succ], ["excluded", "failed", "succeeded"], default="in_progress"
    )
    rated = pd.DataFrame(
        {"win": win, "service": dep["service"], "outcome": outcome, "succ_t": succ_t}
    )[prod]
    rated["succeeded"] = rated["outcome"] == "succeeded"
    rated["failed"] = rated["outcome"] == "failed"
    g = rated.groupby(["win", "service"])[["succeeded", "failed"]].sum()
    for (w, s), r in g.iterrows():
        rows.append(["success-rate", w, s, int(r.succeeded + r.failed), int(r.succeeded), int(r.failed)])

    # Change failure rate.
    out = df[(df["kind"] == "outage") & df["vendor"].isna()][["service", "from"]]
    out = out.assign(o=ms(out["from"]))
    out = out[out["o"] <= as_of].sort_values("o")
    cand = rated[rated["succ_t"].notna()].reset_index()[["deployment", "service", "succ_t"]]
    cand = cand.assign(succ_t=cand["succ_t"].astype("int64")).sort_values("succ_t")
    latest = pd.merge_asof(
        out, cand, left_on="o", right_on="succ_t", by="service", direction="backward"
    )
    latest = latest[latest["succ_t"].notna() & (latest["succ_t"] > latest["o"] - ATTRIBUTION_MS)]
    latest = latest.assign(succ_t=latest["succ_t"].astype("int64"))[["service", "succ_t"]].drop_duplicates()
    charged = set(latest.merge(cand, on=["service", "succ_t"])["deployment"])
    inc = df[(df["kind"] == "incident") & df["deployment"].notna()]
    inc = inc[ms(inc["opened"]) <= as_of]
    linked = set(inc["deployment"])
    blamed = pd.Series(rated.index.isin(list(charged | linked)), index=rated.index)
    rated["caused"] = rated["failed"] | (rated["succeeded"] & blamed)
    g = rated.groupby(["win", "service"])[["succeeded", "failed", "caused"]].sum()
    for (w, s), r in g.iterrows():
        rows.append(["change-failure-rate", w, s, int(r.succeeded + r.failed), int(r.caused), 0])
    return rows


def main(argv):
    engine, path, out = argv
    rows = {"duckdb": run_duckdb, "pandas": run_pandas}[engine](path)
    with open(out, "w") as f:
        json.dump({"rows": rows}, f)


if __name__ == "__main__":
    main(sys.argv[1:])
