//! Business-time throughput in CPU time, for a loaded machine where criterion's
//! wall clock misleads: `cargo run --release -p slakit --example business_throughput -- N [BASE_MS]`
//! under `/usr/bin/time`; N intervals of 1 h-10 d from BASE_MS (default 2015-01-01)
//! over two years, New York Mon-Fri 09-17. A BASE_MS before 1970 takes the day walk.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]
use slakit::calendar::Calendar;
use std::collections::BTreeSet;
const DAY: i64 = 86_400_000;
const JAN_2015: i64 = 1_420_070_400_000;
fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let base: i64 = std::env::args()
        .nth(2)
        .map_or(JAN_2015, |s| s.parse().unwrap());
    let d = vec![(9 * 60, 17 * 60)];
    let cal = Calendar::new(
        chrono_tz::America::New_York,
        [
            d.clone(),
            d.clone(),
            d.clone(),
            d.clone(),
            d,
            vec![],
            vec![],
        ],
        BTreeSet::new(),
    );
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut total = 0i64;
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let a = base + ((x >> 33) as i64) % (730 * DAY);
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let len = 3_600_000 + ((x >> 33) as i64) % (10 * DAY);
        total += cal.business(std::hint::black_box(a), std::hint::black_box(a + len));
    }
    let el = t0.elapsed();
    println!(
        "{n} intervals, total {total}, {:.1} M/s wall",
        n as f64 / el.as_secs_f64() / 1e6
    );
}
