//! `slakit generate`: a seeded synthetic workload (records and a matching
//! policy) for benchmarks and load tests.
//!
//! The same seed and sizes give byte-identical files: the only randomness is
//! a `Pcg64Mcg` stream seeded from `--seed`, nothing reads the clock or the
//! environment, and records are written in generation order.
//!
//! The organisation: `services` services (`svc-0000` …), each owned by one of
//! 50 teams, in one of five regions (New York, London, Berlin, Kolkata,
//! Sydney) whose business calendar (Mon–Fri 09:00–17:00 local, with public
//! holidays) decides when approvers work and when release trains leave.
//! Deployments are spread over `months` months from 2025-01-01 (UTC), with a
//! per-service rate. About 30% wait for an approval (granted in the region's
//! office hours, so many waits span a night or a weekend), about 6% fail
//! (most are rolled back, within 15 minutes as a rule), a few succeed and are rolled back later, 1% abort
//! in pre-flight, some cause incidents or are followed by outages (a quarter
//! of those attributed to a vendor), and a weekly maintenance calendar
//! (Sundays 01:00–04:00 New York, which contains the DST changes of March and
//! November) pauses every clock.

use std::collections::BTreeSet;
use std::io::{self, Write};

use chrono::NaiveDate;
use chrono_tz::Tz;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use slakit::calendar::Calendar;

/// 2025-01-01T00:00:00Z: the first instant of generated data.
pub const START_MS: i64 = 1_735_689_600_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// The largest `--services` accepted.
pub const MAX_SERVICES: u32 = 100_000;
/// The largest `--months` accepted.
pub const MAX_MONTHS: u32 = 120;
/// The largest `--deployments` accepted (about 5 billion events).
pub const MAX_DEPLOYMENTS: u64 = 1_000_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// Number of deployments.
    pub deployments: u64,
    /// Number of services.
    pub services: u32,
    /// Months of data, from 2025-01-01.
    pub months: u32,
    /// Seed of the random stream.
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Deployments with at least one event written (the others start after
    /// the end of the data).
    pub deployments: u64,
    /// Lifecycle events.
    pub events: u64,
    /// Incident records.
    pub incidents: u64,
    /// Outage records.
    pub outages: u64,
    /// Bytes of JSON Lines.
    pub bytes: u64,
}

impl Summary {
    /// Every record: events, incidents and outages.
    pub fn records(&self) -> u64 {
        self.events + self.incidents + self.outages
    }
}

/// A region: its name in calendar ids, its zone and its public holidays
/// (month, day), closed every year.
struct Region {
    name: &'static str,
    tz: Tz,
    holidays: &'static [(u32, u32)],
}

const REGIONS: [Region; 5] = [
    Region {
        name: "new-york",
        tz: chrono_tz::America::New_York,
        holidays: &[(1, 1), (7, 4), (12, 25)],
    },
    Region {
        name: "london",
        tz: chrono_tz::Europe::London,
        holidays: &[(1, 1), (12, 25), (12, 26)],
    },
    Region {
        name: "berlin",
        tz: chrono_tz::Europe::Berlin,
        holidays: &[(1, 1), (10, 3), (12, 25), (12, 26)],
    },
    Region {
        name: "kolkata",
        tz: chrono_tz::Asia::Kolkata,
        holidays: &[(1, 26), (8, 15), (10, 2)],
    },
    Region {
        name: "sydney",
        tz: chrono_tz::Australia::Sydney,
        holidays: &[(1, 1), (1, 26), (12, 25)],
    },
];

const TEAMS: u32 = 50;
const VENDORS: [&str; 2] = ["cloudcdn", "dns-provider"];

/// The first instant after the data: `START_MS` plus `months` months.
pub fn end_ms(months: u32) -> i64 {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let end = start
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(start);
    START_MS + i64::from((end - start).num_days() as i32) * 24 * HOUR
}

fn years(months: u32) -> std::ops::RangeInclusive<i32> {
    2025..=2025 + (months / 12) as i32
}

fn holidays(region: &Region, months: u32) -> BTreeSet<NaiveDate> {
    years(months)
        .flat_map(|y| {
            region
                .holidays
                .iter()
                .filter_map(move |&(m, d)| NaiveDate::from_ymd_opt(y, m, d))
        })
        .collect()
}

fn business_calendar(region: &Region, months: u32) -> Calendar {
    let day = vec![(9 * 60, 17 * 60)];
    let week = [
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        day,
        vec![],
        vec![],
    ];
    Calendar::new(region.tz, week, holidays(region, months))
}

/// One service of the catalog.
struct Service {
    name: String,
    tier: &'static str,
    team: u32,
    region: usize,
}

fn catalog(rng: &mut Pcg64Mcg, n: u32) -> (Vec<Service>, Vec<f64>) {
    let mut services = Vec::with_capacity(n as usize);
    let mut cumulative = Vec::with_capacity(n as usize);
    let mut total = 0.0;
    for k in 0..n {
        let r: f64 = rng.random();
        let tier = if r < 0.2 {
            "tier1"
        } else if r < 0.5 {
            "tier2"
        } else {
            "tier3"
        };
        // Some services deploy fifteen times as often as others.
        total += rng.random_range(0.2..3.0);
        cumulative.push(total);
        services.push(Service {
            name: format!("svc-{k:04}"),
            tier,
            team: k % TEAMS,
            region: (k % REGIONS.len() as u32) as usize,
        });
    }
    (services, cumulative)
}

/// Write the policy that matches `workload`'s records.
pub fn write_policy(w: &Workload, out: &mut dyn Write) -> io::Result<()> {
    let mut rng = Pcg64Mcg::seed_from_u64(w.seed);
    let (services, _) = catalog(&mut rng, w.services);
    let mut p = String::new();
    p.push_str(&format!(
        "# Generated by `slakit generate --deployments {} --services {} --months {} --seed {}`.\n\
         # Windows are UTC months; each region's business-hours lead time runs on its own calendar.\n\
         slakit: 1\nname: generated-workload\ntimezone: UTC\n\ncalendars:\n",
        w.deployments, w.services, w.months, w.seed
    ));
    for region in &REGIONS {
        let mut days: Vec<String> = holidays(region, w.months)
            .iter()
            .map(|d| format!("\"{d}\""))
            .collect();
        days.sort();
        p.push_str(&format!(
            "  business-{}:\n    timezone: {}\n    hours: {{mon-fri: [\"09:00-17:00\"]}}\n    holidays: [{}]\n",
            region.name,
            region.tz.name(),
            days.join(", ")
        ));
    }
    p.push_str(
        "  # Sunday 01:00-04:00 New York: holds the spring-forward gap (02:00-03:00 does not\n  \
         # exist, so the slot is 2h) and the autumn fold (01:00-02:00 happens twice, 4h).\n  \
         maintenance-sunday:\n    timezone: America/New_York\n    hours: {sun: [\"01:00-04:00\"]}\n\n",
    );
    p.push_str("services:\n");
    for s in &services {
        p.push_str(&format!(
            "  {}: {{tier: {}, team: team-{:02}}}\n",
            s.name, s.tier, s.team
        ));
    }
    p.push_str("\ntiers: [tier1, tier2, tier3]\n\n");
    p.push_str(
        "exclusions:\n  - id: weekly-maintenance\n    reason: weekly platform maintenance (clocks pause)\n    calendar: maintenance-sunday\n\n",
    );
    p.push_str(
        "slas:\n\
         \x20 - id: lead-time\n\
         \x20   description: merge to healthy in production, wall-clock time less approval waits\n\
         \x20   scope: {environments: [production], release_types: {exempt: [emergency]}}\n\
         \x20   clock: {start: merged, stop: health_validated, cancel: [rollback_completed]}\n\
         \x20   window: month\n\
         \x20   group_by: [service]\n\
         \x20   warn_at: [50%, 75%]\n\
         \x20   targets:\n\
         \x20     tier1: {max: 4h, objective: 90%}\n\
         \x20     tier2: {max: 8h, objective: 90%}\n\
         \x20     default: {max: 24h, objective: 85%}\n",
    );
    for (i, region) in REGIONS.iter().enumerate() {
        let names: Vec<&str> = services
            .iter()
            .filter(|s| s.region == i)
            .map(|s| s.name.as_str())
            .collect();
        if names.is_empty() {
            continue;
        }
        p.push_str(&format!(
            "  - id: lead-time-business-{0}\n\
             \x20   description: merge to healthy in {0} business hours\n\
             \x20   scope: {{environments: [production], release_types: {{exempt: [emergency]}}, services: [{1}]}}\n\
             \x20   clock: {{start: merged, stop: health_validated, calendar: business-{0}}}\n\
             \x20   window: month\n\
             \x20   group_by: [team]\n\
             \x20   targets: {{default: {{max: 6h, objective: 90%}}}}\n",
            region.name,
            names.join(", ")
        ));
    }
    p.push_str(
        "  - id: success-rate\n\
         \x20   kind: success_rate\n\
         \x20   scope: {environments: [production]}\n\
         \x20   window: month\n\
         \x20   group_by: [service]\n\
         \x20   targets: {tier1: {min: 97%}, default: {min: 93%}}\n\
         \x20 - id: change-failure-rate\n\
         \x20   kind: change_failure_rate\n\
         \x20   scope: {environments: [production]}\n\
         \x20   window: month\n\
         \x20   group_by: [service]\n\
         \x20   targets: {default: {max: 15%}}\n\
         \x20 - id: deployment-frequency\n\
         \x20   kind: deployment_frequency\n\
         \x20   scope: {environments: [production]}\n\
         \x20   window: week\n\
         \x20   group_by: [team]\n\
         \x20   targets: {default: {min: 1}}\n\
         \x20 - id: rollback-15m\n\
         \x20   kind: rollback_time\n\
         \x20   scope: {environments: [production]}\n\
         \x20   window: month\n\
         \x20   targets: {default: {max: 15m, objective: 90%}}\n\
         \x20 - id: post-deploy-downtime\n\
         \x20   kind: post_deploy_availability\n\
         \x20   scope: {environments: [production]}\n\
         \x20   window: month\n\
         \x20   watch: 1h\n\
         \x20   targets: {tier1: {max_unavailable: 5m}, default: {max_unavailable: 15m, objective: 95%}}\n\
         \x20 - id: time-to-restore\n\
         \x20   kind: time_to_restore\n\
         \x20   window: month\n\
         \x20   group_by: [team]\n\
         \x20   targets: {tier1: {max: 2h, objective: 90%}, default: {max: 8h, objective: 90%}}\n",
    );
    out.write_all(p.as_bytes())
}

/// The records: one line per record, a deployment's events together, each
/// incident and outage right after the deployment that led to it.
struct Writer<'a> {
    out: &'a mut dyn Write,
    buf: Vec<u8>,
    summary: Summary,
    end: i64,
}

impl Writer<'_> {
    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= 1 << 20 {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.summary.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    fn time(&mut self, t: i64) {
        self.buf
            .extend_from_slice(slakit::instant::format(t).as_bytes());
    }
}

/// A deployment's events, built before writing (events after the end of
/// the data are dropped).
struct Deployment<'s> {
    events: Vec<(&'static str, i64)>,
    service: &'s Service,
    environment: &'static str,
    release_type: &'static str,
}

/// Draw `lo..hi` minutes as milliseconds, to the second.
fn minutes(rng: &mut Pcg64Mcg, lo: i64, hi: i64) -> i64 {
    rng.random_range(lo * 60..hi * 60) * 1000
}

/// A long-tailed wait: 2^(0..exp) × base, to the second.
fn tail(rng: &mut Pcg64Mcg, base: i64, exp: f64) -> i64 {
    let f: f64 = rng.random_range(0.0..exp);
    let ms = (base as f64 * f.exp2()) as i64;
    ms - ms % 1000
}

/// The first open instant of `cal` at or after `t` (`t` when it never opens).
fn next_open(cal: &Calendar, t: i64) -> i64 {
    cal.breach_at(t, 1).map_or(t, |x| x - 1)
}

/// Write the records of `workload`; same workload, same bytes.
pub fn write_records(w: &Workload, out: &mut dyn Write) -> io::Result<Summary> {
    let mut rng = Pcg64Mcg::seed_from_u64(w.seed);
    let (services, cumulative) = catalog(&mut rng, w.services);
    let calendars: Vec<Calendar> = REGIONS
        .iter()
        .map(|r| business_calendar(r, w.months))
        .collect();
    let end = end_ms(w.months);
    let total = cumulative.last().copied().unwrap_or(1.0);
    let span = (end - START_MS) as f64;
    let mut wr = Writer {
        out,
        buf: Vec::with_capacity(1 << 21),
        summary: Summary::default(),
        end,
    };
    let mut incident_no = 0u64;
    let mut outage_no = 0u64;
    let mut events = Vec::with_capacity(12);
    for i in 0..w.deployments {
        // Merges are spread evenly over the months, jittered inside each slot.
        let slot = span / w.deployments as f64;
        let merged = START_MS + (i as f64 * slot + rng.random_range(0.0..slot)) as i64;
        let merged = merged - merged % 1000;
        let pick = rng.random_range(0.0..total);
        let k = cumulative.partition_point(|&c| c <= pick);
        let Some(service) = services.get(k).or(services.last()) else {
            break;
        };
        let Some(cal) = calendars.get(service.region) else {
            break;
        };
        let environment = if rng.random_bool(0.9) {
            "production"
        } else {
            "staging"
        };
        let r: f64 = rng.random();
        let release_type = if r < 0.01 {
            "emergency"
        } else if r < 0.05 {
            "hotfix"
        } else if r < 0.15 {
            "major"
        } else if r < 0.65 {
            "minor"
        } else {
            "patch"
        };
        events.clear();
        events.push(("merged", merged));
        let mut t = merged + minutes(&mut rng, 8, 70); // CI
        if release_type != "hotfix" && release_type != "emergency" && rng.random_bool(0.32) {
            // Approvers work office hours: a request at 18:00 on a Friday
            // waits for Monday morning.
            events.push(("approval_requested", t));
            let granted =
                next_open(cal, t + tail(&mut rng, 10 * MINUTE, 5.0)) + minutes(&mut rng, 1, 45);
            events.push(("approval_granted", granted));
            t = granted + minutes(&mut rng, 2, 20);
        }
        let started = if release_type != "emergency" && rng.random_bool(0.15) {
            // The next release train, in the region's office hours.
            next_open(cal, t + 2 * HOUR) + minutes(&mut rng, 0, 30)
        } else {
            t + tail(&mut rng, 3 * MINUTE, 6.0)
        };
        events.push(("started", started));
        let r: f64 = rng.random();
        let mut succeeded = None;
        if r < 0.01 {
            events.push(("preflight_failed", started + minutes(&mut rng, 1, 8)));
        } else if r < 0.07 {
            let failed = started + minutes(&mut rng, 3, 40);
            events.push(("failed", failed));
            if rng.random_bool(0.92) {
                let rb = failed + minutes(&mut rng, 1, 6);
                events.push(("rollback_started", rb));
                events.push(("rollback_completed", rb + minutes(&mut rng, 2, 12)));
            }
        } else {
            let s = started + minutes(&mut rng, 4, 45);
            succeeded = Some(s);
            events.push(("succeeded", s));
            if rng.random_bool(0.97) {
                let hv = s + minutes(&mut rng, 3, 30);
                events.push(("health_validated", hv));
                if rng.random_bool(0.015) {
                    let rb = hv + minutes(&mut rng, 10, 120);
                    events.push(("rollback_started", rb));
                    events.push(("rollback_completed", rb + minutes(&mut rng, 2, 20)));
                }
            }
        }
        let dep = Deployment {
            events: events.iter().copied().filter(|e| e.1 < end).collect(),
            service,
            environment,
            release_type,
        };
        write_deployment(&mut wr, i, &dep);

        if let Some(s) = succeeded {
            if rng.random_bool(0.012) {
                incident_no += 1;
                let opened = s + minutes(&mut rng, 10, 12 * 60);
                let resolved = opened + tail(&mut rng, 15 * MINUTE, 5.0);
                write_incident(&mut wr, incident_no, service, opened, resolved, Some(i));
            }
            if rng.random_bool(0.008) {
                outage_no += 1;
                let from = s + minutes(&mut rng, 1, 100);
                let to = from + minutes(&mut rng, 1, 45);
                let vendor = if rng.random_bool(0.25) {
                    VENDORS.get(rng.random_range(0..VENDORS.len())).copied()
                } else {
                    None
                };
                write_outage(&mut wr, outage_no, service, from, to, vendor);
            }
        }
        if rng.random_bool(0.003) {
            // An incident no change caused.
            incident_no += 1;
            let opened = merged + minutes(&mut rng, 0, 24 * 60);
            let resolved = opened + tail(&mut rng, 15 * MINUTE, 5.0);
            write_incident(&mut wr, incident_no, service, opened, resolved, None);
        }
        wr.flush_if_full()?;
    }
    wr.flush()?;
    wr.out.flush()?;
    Ok(wr.summary)
}

fn write_deployment(wr: &mut Writer<'_>, i: u64, dep: &Deployment<'_>) {
    if dep.events.is_empty() {
        return;
    }
    wr.summary.deployments += 1;
    for (n, &(name, t)) in dep.events.iter().enumerate() {
        wr.summary.events += 1;
        wr.buf.extend_from_slice(b"{\"deployment\":\"d-");
        wr.buf.extend_from_slice(i.to_string().as_bytes());
        wr.buf.extend_from_slice(b"\",\"event\":\"");
        wr.buf.extend_from_slice(name.as_bytes());
        wr.buf.extend_from_slice(b"\",\"time\":\"");
        wr.time(t);
        wr.buf.push(b'"');
        if n == 0 {
            wr.buf.extend_from_slice(b",\"service\":\"");
            wr.buf.extend_from_slice(dep.service.name.as_bytes());
            wr.buf.extend_from_slice(b"\",\"environment\":\"");
            wr.buf.extend_from_slice(dep.environment.as_bytes());
            wr.buf.extend_from_slice(b"\",\"release_type\":\"");
            wr.buf.extend_from_slice(dep.release_type.as_bytes());
            wr.buf.push(b'"');
        }
        wr.buf.extend_from_slice(b"}\n");
    }
}

fn write_incident(
    wr: &mut Writer<'_>,
    no: u64,
    service: &Service,
    opened: i64,
    resolved: i64,
    deployment: Option<u64>,
) {
    if opened >= wr.end {
        return;
    }
    wr.summary.incidents += 1;
    wr.buf
        .extend_from_slice(format!("{{\"kind\":\"incident\",\"id\":\"INC-{no}\"").as_bytes());
    wr.buf
        .extend_from_slice(format!(",\"service\":\"{}\",\"opened\":\"", service.name).as_bytes());
    wr.time(opened);
    wr.buf.push(b'"');
    if resolved < wr.end {
        wr.buf.extend_from_slice(b",\"resolved\":\"");
        wr.time(resolved);
        wr.buf.push(b'"');
    }
    if let Some(d) = deployment {
        wr.buf
            .extend_from_slice(format!(",\"deployment\":\"d-{d}\"").as_bytes());
    }
    let severity = if no.is_multiple_of(5) { "sev2" } else { "sev3" };
    wr.buf
        .extend_from_slice(format!(",\"severity\":\"{severity}\"}}\n").as_bytes());
}

fn write_outage(
    wr: &mut Writer<'_>,
    no: u64,
    service: &Service,
    from: i64,
    to: i64,
    vendor: Option<&str>,
) {
    if from >= wr.end {
        return;
    }
    wr.summary.outages += 1;
    wr.buf.extend_from_slice(
        format!(
            "{{\"kind\":\"outage\",\"id\":\"OUT-{no}\",\"service\":\"{}\",\"from\":\"",
            service.name
        )
        .as_bytes(),
    );
    wr.time(from);
    wr.buf.push(b'"');
    if to < wr.end {
        wr.buf.extend_from_slice(b",\"to\":\"");
        wr.time(to);
        wr.buf.push(b'"');
    }
    if let Some(v) = vendor {
        wr.buf
            .extend_from_slice(format!(",\"vendor\":\"{v}\"").as_bytes());
    }
    wr.buf.extend_from_slice(b"}\n");
}

/// The number of local days in a calendar year (for tests of the span).
#[cfg(test)]
fn days_in_year(y: i32) -> u32 {
    NaiveDate::from_ymd_opt(y, 12, 31).map_or(365, |d| chrono::Datelike::ordinal(&d))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn small(seed: u64) -> Workload {
        Workload {
            deployments: 3000,
            services: 40,
            months: 24,
            seed,
        }
    }

    fn records(w: &Workload) -> (String, Summary) {
        let mut out = Vec::new();
        let summary = write_records(w, &mut out).unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let (a, sa) = records(&small(7));
        let (b, sb) = records(&small(7));
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        let (c, _) = records(&small(8));
        assert_ne!(a, c);
        let mut p1 = Vec::new();
        let mut p2 = Vec::new();
        write_policy(&small(7), &mut p1).unwrap();
        write_policy(&small(7), &mut p2).unwrap();
        assert_eq!(p1, p2);
    }

    #[test]
    fn the_summary_counts_what_was_written() {
        let (text, s) = records(&small(1));
        assert_eq!(text.len() as u64, s.bytes);
        assert_eq!(text.lines().count() as u64, s.records());
        assert_eq!(
            text.lines().filter(|l| l.contains("\"event\":")).count() as u64,
            s.events
        );
        assert_eq!(
            text.lines()
                .filter(|l| l.contains("\"kind\":\"incident\""))
                .count() as u64,
            s.incidents
        );
        assert_eq!(
            text.lines()
                .filter(|l| l.contains("\"kind\":\"outage\""))
                .count() as u64,
            s.outages
        );
    }

    #[test]
    fn the_data_covers_the_months_and_ends_there() {
        assert_eq!(end_ms(24), START_MS + i64::from(365 + 365) * 24 * HOUR);
        assert_eq!(days_in_year(2024), 366);
        let w = small(3);
        let recs = slakit::parse_records(&records(&w).0).unwrap();
        let times: Vec<i64> = recs.iter().filter_map(|r| r.instant()).collect();
        let lo = *times.iter().min().unwrap();
        let hi = *times.iter().max().unwrap();
        assert!((START_MS..START_MS + 7 * 24 * HOUR).contains(&lo), "{lo}");
        assert!(hi < end_ms(24) && hi > end_ms(24) - 7 * 24 * HOUR, "{hi}");
    }

    #[test]
    fn about_a_third_wait_for_approval_often_overnight() {
        let recs = slakit::parse_records(&records(&small(4)).0).unwrap();
        let mut requested = std::collections::HashMap::new();
        let mut waits = Vec::new();
        let mut deployments = BTreeSet::new();
        for r in &recs {
            if let slakit::Record::Event(e) = r {
                deployments.insert(e.deployment.clone());
                match e.event.as_str() {
                    "approval_requested" => {
                        requested.insert(e.deployment.clone(), e.time);
                    }
                    "approval_granted" => {
                        waits.push(e.time - requested[&e.deployment]);
                    }
                    _ => {}
                }
            }
        }
        let share = requested.len() as f64 / deployments.len() as f64;
        assert!((0.22..0.35).contains(&share), "{share}");
        let overnight = waits.iter().filter(|&&w| w > 14 * HOUR).count();
        let weekend = waits.iter().filter(|&&w| w > 60 * HOUR).count();
        assert!(
            overnight * 10 > waits.len(),
            "{overnight} of {}",
            waits.len()
        );
        assert!(weekend > 0);
    }

    #[test]
    fn every_kind_of_history_is_there() {
        let (text, s) = records(&small(5));
        for needle in [
            "\"event\":\"failed\"",
            "\"event\":\"rollback_completed\"",
            "\"event\":\"preflight_failed\"",
            "\"event\":\"health_validated\"",
            "\"release_type\":\"emergency\"",
            "\"environment\":\"staging\"",
            "\"vendor\":\"",
            "\"deployment\":\"d-",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
        assert!(s.incidents > 0 && s.outages > 0);
        // Linked and unlinked incidents.
        assert!(
            text.lines()
                .any(|l| l.contains("\"kind\":\"incident\"") && !l.contains("\"deployment\""))
        );
    }
}
