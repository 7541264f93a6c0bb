//! Structured evaluation: a policy (zones, calendars with odd hours and
//! holidays, tiers, services, exclusions, SLAs of every kind and window) and
//! records (events, outages, incidents, exclusions, exceptions at many
//! offsets) generated from the fuzzer's bytes, mostly valid so that the engine
//! runs rather than the parser refusing. Checks: no panic; a report is
//! byte-identical when the records are reversed (ADVERSARIAL 26); explain and
//! gate run on the same inputs.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const ZONES: [&str; 10] = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Pacific/Apia",
    "Australia/Lord_Howe",
    "America/Havana",
    "Asia/Jerusalem",
    "Europe/Moscow",
    "Pacific/Chatham",
];
const OFFSETS: [&str; 8] = [
    "Z", "+00:00", "-05:00", "+05:30", "+14:00", "-12:00", "+01:00", "-03:30",
];
const EVENTS: [&str; 14] = [
    "merged",
    "started",
    "approval_requested",
    "approval_granted",
    "preflight_failed",
    "succeeded",
    "health_validated",
    "failed",
    "rollback_started",
    "rollback_completed",
    "canary_passed",
    "canary_failed",
    "custom",
    "merged",
];
const KINDS: [&str; 7] = [
    "duration",
    "success_rate",
    "change_failure_rate",
    "deployment_frequency",
    "rollback_time",
    "post_deploy_availability",
    "time_to_restore",
];
const DAY_KEYS: [&str; 8] = [
    "mon-fri", "sun-thu", "sat", "sun", "tue-sat", "mon-sun", "mon", "fri",
];
const SERVICES: [&str; 4] = ["checkout", "search", "ledger", "wiki"];
const ENVS: [&str; 2] = ["production", "staging"];
const RELEASES: [&str; 3] = ["minor", "patch", "emergency"];
/// 2024-03-01T00:00:00Z: the base of every generated instant (DST nearby).
const BASE_S: i64 = 1_709_251_200;

fn pick<T: Copy>(list: &[T], i: u8) -> T {
    list[usize::from(i) % list.len()]
}

/// An RFC 3339 instant `minutes` after the base, written with some offset.
fn instant(minutes: i32, offset: u8) -> String {
    let t =
        chrono::DateTime::from_timestamp(BASE_S + i64::from(minutes) * 60, 0).unwrap_or_default();
    let off = pick(&OFFSETS, offset);
    let fixed = if off == "Z" {
        chrono::FixedOffset::east_opt(0)
    } else {
        chrono::DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{off}"))
            .ok()
            .map(|d| *d.offset())
    }
    .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).unwrap());
    let s = t
        .with_timezone(&fixed)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    format!("{s}{}", if off == "Z" { "Z" } else { off })
}

fn hhmm(m: u16) -> String {
    let m = u32::from(m) % 1441;
    format!("{:02}:{:02}", m / 60, m % 60)
}

#[derive(Debug, Arbitrary)]
struct Cal {
    zone: u8,
    hours: Vec<(u8, u16, u16)>,
    holidays: Vec<u16>,
}

#[derive(Debug, Arbitrary)]
struct Sla {
    kind: u8,
    start: u8,
    stop: u8,
    pause: Option<(u8, u8)>,
    calendar: u8,
    window: u8,
    rolling_days: u8,
    group: u8,
    max_minutes: u16,
    objective: u8,
    scope_env: bool,
    warn: bool,
    zone: Option<u8>,
}

#[derive(Debug, Arbitrary)]
enum Rec {
    Event {
        dep: u8,
        event: u8,
        at: i32,
        off: u8,
        service: Option<u8>,
        env: Option<u8>,
        rel: Option<u8>,
    },
    Outage {
        service: u8,
        from: i32,
        len: Option<u16>,
        off: u8,
    },
    Incident {
        id: u8,
        service: u8,
        dep: Option<u8>,
        opened: i32,
        len: Option<u16>,
        off: u8,
    },
    Exclusion {
        id: u8,
        from: i32,
        len: u16,
        pause: bool,
        off: u8,
    },
    Exception {
        id: u8,
        service: Option<u8>,
        dep: Option<u8>,
        from: i32,
        len: u16,
        emergency: bool,
        off: u8,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    zone: u8,
    calendars: Vec<Cal>,
    tiers: bool,
    services: Vec<(u8, u8)>,
    exclusion: Option<(i32, u16, bool, Option<u8>)>,
    slas: Vec<Sla>,
    records: Vec<Rec>,
    as_of: i32,
    gate: Option<(u8, u8, i32)>,
}

fn policy(input: &Input) -> Value {
    let mut p = Map::new();
    p.insert("slakit".into(), json!(1));
    p.insert("name".into(), json!("fuzz"));
    p.insert("timezone".into(), json!(pick(&ZONES, input.zone)));
    let mut cals = Map::new();
    for (i, c) in input.calendars.iter().take(3).enumerate() {
        let mut hours = Map::new();
        for &(day, s, e) in c.hours.iter().take(4) {
            let (s, e) = (u32::from(s) % 1441, u32::from(e) % 1441);
            let (s, e) = (s.min(e) as u16, s.max(e) as u16);
            if s == e {
                continue;
            }
            let entry = hours
                .entry(pick(&DAY_KEYS, day))
                .or_insert_with(|| json!([]));
            if let Value::Array(a) = entry {
                a.push(json!(format!("{}-{}", hhmm(s), hhmm(e))));
            }
        }
        let holidays: Vec<String> = c
            .holidays
            .iter()
            .take(8)
            .filter_map(|&d| {
                chrono::NaiveDate::from_ymd_opt(2024, 1, 1)?
                    .checked_add_days(chrono::Days::new(u64::from(d % 800)))
            })
            .map(|d| d.to_string())
            .collect();
        let mut holidays = holidays;
        holidays.sort();
        holidays.dedup();
        cals.insert(
            format!("c{i}"),
            json!({"timezone": pick(&ZONES, c.zone), "hours": hours, "holidays": holidays}),
        );
    }
    let ncal = cals.len();
    if ncal > 0 {
        p.insert("calendars".into(), Value::Object(cals));
    }
    if input.tiers {
        p.insert("tiers".into(), json!(["tier1", "tier2"]));
        let mut services = Map::new();
        for &(s, t) in input.services.iter().take(4) {
            services.insert(
                pick(&SERVICES, s).into(),
                json!({"tier": if t % 2 == 0 { "tier1" } else { "tier2" }, "team": format!("team{}", t % 3)}),
            );
        }
        p.insert("services".into(), Value::Object(services));
    }
    if let Some((from, len, pause, cal)) = input.exclusion {
        let x = match cal {
            Some(c) if ncal > 0 => {
                json!({"id": "x-policy", "calendar": format!("c{}", usize::from(c) % ncal), "effect": if pause {"pause"} else {"exclude"}})
            }
            _ => {
                json!({"id": "x-policy", "from": instant(from % 200_000, 0), "to": instant(from % 200_000 + i32::from(len), 2), "effect": if pause {"pause"} else {"exclude"}})
            }
        };
        p.insert("exclusions".into(), json!([x]));
    }
    let mut slas = Vec::new();
    for (i, s) in input.slas.iter().take(4).enumerate() {
        let kind = pick(&KINDS, s.kind);
        let mut sla = Map::new();
        sla.insert("id".into(), json!(format!("s{i}")));
        sla.insert("kind".into(), json!(kind));
        let window = match s.window % 6 {
            0 => json!("day"),
            1 => json!("week"),
            2 => json!("month"),
            3 => json!("quarter"),
            4 => json!("year"),
            _ => json!({"rolling": format!("{}d", 1 + s.rolling_days % 90)}),
        };
        sla.insert("window".into(), window);
        if let Some(z) = s.zone {
            sla.insert("timezone".into(), json!(pick(&ZONES, z)));
        }
        if s.scope_env {
            sla.insert("scope".into(), json!({"environments": ["production"]}));
        }
        match s.group % 4 {
            1 => drop(sla.insert("group_by".into(), json!(["service"]))),
            2 => drop(sla.insert("group_by".into(), json!(["team", "environment"]))),
            _ => {}
        }
        let max = format!("{}m", 1 + u32::from(s.max_minutes));
        let objective = format!("{}%", 1 + s.objective % 100);
        let target = match kind {
            "duration" => {
                let mut clock = Map::new();
                clock.insert("start".into(), json!(pick(&EVENTS, s.start)));
                clock.insert("stop".into(), json!(pick(&EVENTS, s.stop)));
                if let Some((a, b)) = s.pause {
                    clock.insert(
                        "pauses".into(),
                        json!([{"from": pick(&EVENTS, a), "to": pick(&EVENTS, b)}]),
                    );
                }
                if ncal > 0 && s.calendar % 2 == 1 {
                    clock.insert(
                        "calendar".into(),
                        json!(format!("c{}", usize::from(s.calendar) % ncal)),
                    );
                }
                sla.insert("clock".into(), Value::Object(clock));
                if s.warn {
                    sla.insert("warn_at".into(), json!(["50%"]));
                }
                json!({"max": max, "objective": objective})
            }
            "success_rate" => json!({"min": objective}),
            "change_failure_rate" => json!({"max": objective}),
            "deployment_frequency" => json!({"min": 1 + s.objective % 5}),
            "post_deploy_availability" => json!({"max_unavailable": max}),
            _ => json!({"max": max}),
        };
        sla.insert(
            "targets".into(),
            json!({"default": target, "tier1": target}),
        );
        slas.push(Value::Object(sla));
    }
    p.insert("slas".into(), Value::Array(slas));
    Value::Object(p)
}

fn record(r: &Rec) -> Value {
    match *r {
        Rec::Event {
            dep,
            event,
            at,
            off,
            service,
            env,
            rel,
        } => {
            let mut m = Map::new();
            m.insert("deployment".into(), json!(format!("d{}", dep % 12)));
            m.insert("event".into(), json!(pick(&EVENTS, event)));
            m.insert("time".into(), json!(instant(at % 300_000, off)));
            if let Some(s) = service {
                // One service per deployment, so that most inputs are valid.
                let _ = s;
                m.insert("service".into(), json!(pick(&SERVICES, dep)));
            }
            if let Some(e) = env {
                let _ = e;
                m.insert("environment".into(), json!(pick(&ENVS, dep / 12)));
            }
            if let Some(r) = rel {
                let _ = r;
                m.insert("release_type".into(), json!(pick(&RELEASES, dep / 5)));
            }
            Value::Object(m)
        }
        Rec::Outage {
            service,
            from,
            len,
            off,
        } => {
            let from = from % 300_000;
            let mut v = json!({"kind": "outage", "service": pick(&SERVICES, service), "from": instant(from, off)});
            if let Some(len) = len {
                v["to"] = json!(instant(from + i32::from(len), off));
            }
            v
        }
        Rec::Incident {
            id,
            service,
            dep,
            opened,
            len,
            off,
        } => {
            let opened = opened % 300_000;
            let mut v = json!({"kind": "incident", "id": format!("i{}", id % 6), "service": pick(&SERVICES, id % 6), "opened": instant(opened, off)});
            let _ = service;
            if let Some(d) = dep {
                v["deployment"] = json!(format!("d{}", d % 12));
            }
            if let Some(len) = len {
                v["resolved"] = json!(instant(opened + i32::from(len), off));
            }
            v
        }
        Rec::Exclusion {
            id,
            from,
            len,
            pause,
            off,
        } => {
            let from = from % 300_000;
            json!({"kind": "exclusion", "id": format!("x{id}"), "from": instant(from, off), "to": instant(from + i32::from(len), off), "effect": if pause {"pause"} else {"exclude"}})
        }
        Rec::Exception {
            id,
            service,
            dep,
            from,
            len,
            emergency,
            off,
        } => {
            let from = from % 300_000;
            let mut v = json!({"kind": "exception", "id": format!("e{id}"), "from": instant(from, off), "to": instant(from + i32::from(len), off), "emergency": emergency, "approved_by": "cab"});
            if let Some(s) = service {
                v["services"] = json!([pick(&SERVICES, s)]);
            }
            if let Some(d) = dep {
                v["deployments"] = json!([format!("d{}", d % 12)]);
            }
            v
        }
    }
}

fuzz_target!(|input: Input| {
    let doc = policy(&input);
    let Ok(policy) = slakit::Policy::from_value(doc.clone()) else {
        return;
    };
    let lines: Vec<String> = input
        .records
        .iter()
        .take(64)
        .map(|r| record(r).to_string())
        .collect();
    let Ok(records) = slakit::parse_records(&lines.join("\n")) else {
        return;
    };
    let as_of = (BASE_S + i64::from(input.as_of % 400_000) * 60) * 1000;
    let report = policy.evaluate(&records, as_of);
    if let Ok(report) = &report {
        // ADVERSARIAL 26: the order of the records does not matter.
        let mut reversed = records.clone();
        reversed.reverse();
        let again = policy
            .evaluate(&reversed, as_of)
            .unwrap_or_else(|e| panic!("reversed records fail where the original passed: {e}"));
        assert_eq!(
            report.to_json(),
            again.to_json(),
            "report depends on record order"
        );
        // The same document as JSON text gives the same report.
        let yaml = slakit::Policy::from_json(&doc.to_string()).expect("the JSON text compiles");
        assert_eq!(
            yaml.evaluate(&records, as_of).map(|r| r.to_json()).ok(),
            Some(report.to_json())
        );
    }
    let _ = policy.explain(&records, "d1", as_of);
    if let Some((dep, service, at)) = input.gate {
        let proposed =
            json!({"deployment": format!("d{}", dep % 14), "service": pick(&SERVICES, service)});
        if let Ok(p) = slakit::gate::parse_proposed(&proposed.to_string()) {
            let at = (BASE_S + i64::from(at % 400_000) * 60) * 1000;
            if let Ok(d) = policy.gate(&records, &p, at) {
                let _ = d.to_json();
            }
        }
    }
});
