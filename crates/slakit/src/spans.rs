//! Exclusions and exceptions looked up by service, deployment and time.
//!
//! Every deployment asks, under every SLA, which exclusions pause its
//! clock or exclude it and which exception suspends it. Read one by one,
//! that is deployments × SLAs × records: a feed of weekly maintenance
//! windows for a hundred services over two years (10,400 exclusion
//! records) made a 100k-deployment evaluation six times slower, and a
//! million deployments would take minutes. A [`SpanIndex`] gives each
//! question the few records that can answer it; the question's own test
//! then decides, as before, so the answers are the same.

use rustc_hash::FxHashMap;

use crate::policy::{Exception, Exclusion, Span};

/// Where an item of a [`SpanIndex`] may apply.
pub(crate) enum Reach<'a> {
    /// Over `[from, to)`, to the services listed (`None`: to every service).
    Interval {
        services: Option<&'a [String]>,
        from: i64,
        to: i64,
    },
    /// To the deployments listed, at any time.
    Deployments(&'a [String]),
    /// Anywhere (a calendar's recurring hours): asked every time.
    Always,
}

/// Positions of items (exclusions or exceptions of a world) by service,
/// deployment and time, to find the candidates for a question without
/// reading every item. A candidate may still not apply: the caller tests
/// each one as it tested every item before.
#[derive(Debug, Default)]
pub(crate) struct SpanIndex {
    by_service: FxHashMap<String, Bucket>,
    /// Intervals that name no service (they apply to every one).
    every: Bucket,
    by_deployment: FxHashMap<String, Vec<u32>>,
    always: Vec<u32>,
}

/// Each name of `list` once: a service or deployment listed twice makes
/// one candidate, not two.
fn distinct(list: &[String]) -> Vec<&String> {
    let mut names: Vec<&String> = list.iter().collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Intervals sorted by start, each with the furthest end reached by it and
/// those before it: the ones that may overlap `[a, b)` are one run.
#[derive(Debug, Default)]
struct Bucket {
    from: Vec<i64>,
    reach: Vec<i64>,
    at: Vec<u32>,
}

impl Bucket {
    fn new(mut items: Vec<(i64, i64, u32)>) -> Bucket {
        items.sort_unstable();
        let mut reach = i64::MIN;
        let mut bucket = Bucket::default();
        for (from, to, at) in items {
            reach = reach.max(to);
            bucket.from.push(from);
            bucket.reach.push(reach);
            bucket.at.push(at);
        }
        bucket
    }

    /// Every item with `from < b` and `to > a`, and some others between.
    fn overlapping(&self, a: i64, b: i64) -> &[u32] {
        let end = self.from.partition_point(|&f| f < b);
        let start = self
            .reach
            .get(..end)
            .map_or(0, |r| r.partition_point(|&r| r <= a));
        self.at.get(start..end).unwrap_or_default()
    }
}

impl SpanIndex {
    /// The index of `items`, each at its position.
    pub(crate) fn new<'a>(items: impl Iterator<Item = Reach<'a>>) -> SpanIndex {
        let mut by_service: FxHashMap<String, Vec<(i64, i64, u32)>> = FxHashMap::default();
        let mut every = Vec::new();
        let mut index = SpanIndex::default();
        for (at, reach) in items.enumerate() {
            let at = u32::try_from(at).unwrap_or(u32::MAX);
            match reach {
                Reach::Interval {
                    services: None,
                    from,
                    to,
                } => every.push((from, to, at)),
                Reach::Interval {
                    services: Some(list),
                    from,
                    to,
                } => {
                    for name in distinct(list) {
                        by_service
                            .entry(name.clone())
                            .or_default()
                            .push((from, to, at));
                    }
                }
                Reach::Deployments(list) => {
                    for id in distinct(list) {
                        index.by_deployment.entry(id.clone()).or_default().push(at);
                    }
                }
                Reach::Always => index.always.push(at),
            }
        }
        index.every = Bucket::new(every);
        index.by_service = by_service
            .into_iter()
            .map(|(name, items)| (name, Bucket::new(items)))
            .collect();
        index
    }

    /// The index of a world's exclusions.
    pub(crate) fn of_exclusions(exclusions: &[Exclusion]) -> SpanIndex {
        SpanIndex::new(exclusions.iter().map(|x| match &x.span {
            Span::Interval { from, to } => Reach::Interval {
                services: x.services.as_deref(),
                from: *from,
                to: *to,
            },
            Span::Calendar { .. } => Reach::Always,
        }))
    }

    /// The index of a world's exceptions.
    pub(crate) fn of_exceptions(exceptions: &[Exception]) -> SpanIndex {
        SpanIndex::new(exceptions.iter().map(|x| match &x.deployments {
            Some(list) => Reach::Deployments(list),
            None => Reach::Interval {
                services: x.services.as_deref(),
                from: x.from,
                to: x.to,
            },
        }))
    }

    /// Each position that may apply to `deployment` of `service` somewhere
    /// in `[a, b)`, once, in no particular order: every item whose reach
    /// meets it is among them.
    pub(crate) fn candidates<'s>(
        &'s self,
        service: Option<&str>,
        deployment: &str,
        a: i64,
        b: i64,
    ) -> Candidates<'s> {
        // Nothing hashed where nothing is indexed (most worlds: a few
        // exclusions for every service, no exception).
        let named = match service {
            Some(s) if !self.by_service.is_empty() => self
                .by_service
                .get(s)
                .map(|bucket| bucket.overlapping(a, b))
                .unwrap_or_default(),
            _ => &[],
        };
        let listed = if self.by_deployment.is_empty() {
            &[][..]
        } else {
            self.by_deployment
                .get(deployment)
                .map_or(&[][..], Vec::as_slice)
        };
        Candidates {
            parts: [&self.always, self.every.overlapping(a, b), named, listed],
            part: 0,
            next: 0,
        }
    }

    /// The items of `items` (those this index was made of) that may apply
    /// to `deployment` of `service` somewhere in `[a, b)`: the
    /// [`SpanIndex::candidates`], or every item in order when the index
    /// narrows nothing (only calendar exclusions: the usual policy).
    pub(crate) fn select<'s, T>(
        &'s self,
        items: &'s [T],
        service: Option<&str>,
        deployment: &str,
        a: i64,
        b: i64,
    ) -> Selected<'s, T> {
        if self.by_service.is_empty() && self.every.at.is_empty() && self.by_deployment.is_empty() {
            Selected::All(items.iter())
        } else {
            Selected::Some(items, self.candidates(service, deployment, a, b))
        }
    }

    /// [`SpanIndex::select`] at the instant `t`.
    pub(crate) fn select_at<'s, T>(
        &'s self,
        items: &'s [T],
        service: Option<&str>,
        deployment: &str,
        t: i64,
    ) -> Selected<'s, T> {
        self.select(items, service, deployment, t, t.saturating_add(1))
    }
}

/// Items in their own order (a service's outages), with their intervals
/// indexed by time: those that may meet a deployment's watch are found
/// without reading the others.
pub(crate) struct Timed<'a, T> {
    items: Vec<&'a T>,
    bucket: Bucket,
}

impl<'a, T> Timed<'a, T> {
    /// `items` with the interval `span` gives each (its end `i64::MAX`
    /// when it has none).
    pub(crate) fn new(items: Vec<&'a T>, span: impl Fn(&T) -> (i64, i64)) -> Self {
        let bucket = Bucket::new(
            items
                .iter()
                .enumerate()
                .map(|(at, item)| {
                    let (from, to) = span(item);
                    (from, to, u32::try_from(at).unwrap_or(u32::MAX))
                })
                .collect(),
        );
        Timed { items, bucket }
    }

    /// Every item, in its own order.
    pub(crate) fn all(&self) -> &[&'a T] {
        &self.items
    }

    /// The items whose interval may meet `[a, b)`: each one that does, and
    /// maybe some others, in no particular order.
    pub(crate) fn meeting(&self, a: i64, b: i64) -> impl Iterator<Item = &'a T> + '_ {
        self.bucket
            .overlapping(a, b)
            .iter()
            .filter_map(|&at| self.items.get(at as usize).copied())
    }
}

/// The items [`SpanIndex::select`] gives.
pub(crate) enum Selected<'s, T> {
    /// Every item.
    All(std::slice::Iter<'s, T>),
    /// The candidates among the items.
    Some(&'s [T], Candidates<'s>),
}

impl<'s, T> Iterator for Selected<'s, T> {
    type Item = &'s T;

    fn next(&mut self) -> Option<&'s T> {
        match self {
            Selected::All(all) => all.next(),
            Selected::Some(items, at) => at.find_map(|at| items.get(at)),
        }
    }
}

/// The positions [`SpanIndex::candidates`] gives: a few runs of positions
/// read in turn (asked of every deployment under every SLA, so kept to a
/// loop over four slices).
pub(crate) struct Candidates<'s> {
    parts: [&'s [u32]; 4],
    part: usize,
    next: usize,
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            let part = self.parts.get(self.part)?;
            if let Some(&at) = part.get(self.next) {
                self.next += 1;
                return Some(at as usize);
            }
            self.part += 1;
            self.next = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An item of the test: its reach, as owned values.
    #[derive(Debug, Clone)]
    enum Item {
        Interval(Option<Vec<String>>, i64, i64),
        Deployments(Vec<String>),
        Always,
    }

    impl Item {
        fn reach(&self) -> Reach<'_> {
            match self {
                Item::Interval(services, from, to) => Reach::Interval {
                    services: services.as_deref(),
                    from: *from,
                    to: *to,
                },
                Item::Deployments(list) => Reach::Deployments(list),
                Item::Always => Reach::Always,
            }
        }

        /// Whether it meets the question: what reading every item finds.
        fn meets(&self, service: Option<&str>, deployment: &str, a: i64, b: i64) -> bool {
            match self {
                Item::Interval(services, from, to) => {
                    let named = match (services, service) {
                        (None, _) => true,
                        (Some(list), Some(s)) => list.iter().any(|x| x == s),
                        (Some(_), None) => false,
                    };
                    named && *from < b && *to > a
                }
                Item::Deployments(list) => list.iter().any(|d| d == deployment),
                Item::Always => true,
            }
        }
    }

    fn name() -> impl Strategy<Value = String> {
        "[abc]".prop_map(String::from)
    }

    fn item() -> impl Strategy<Value = Item> {
        prop_oneof![
            4 => (
                proptest::option::of(proptest::collection::vec(name(), 0..3)),
                -20i64..20,
                0i64..15,
            )
                .prop_map(|(s, from, len)| Item::Interval(s, from, from + len)),
            1 => proptest::collection::vec(name(), 0..3).prop_map(Item::Deployments),
            1 => Just(Item::Always),
        ]
    }

    proptest! {
        /// The candidates are each item that meets the question, once
        /// (and may hold others that do not).
        #[test]
        fn every_item_that_meets_a_question_is_a_candidate_once(
            items in proptest::collection::vec(item(), 0..40),
            service in proptest::option::of(name()),
            deployment in name(),
            a in -25i64..25,
            len in 0i64..10,
        ) {
            let index = SpanIndex::new(items.iter().map(Item::reach));
            let b = a + len;
            let mut got: Vec<usize> = index
                .candidates(service.as_deref(), &deployment, a, b)
                .collect();
            got.sort_unstable();
            let mut unique = got.clone();
            unique.dedup();
            prop_assert_eq!(&unique, &got, "a candidate given twice");
            for (at, item) in items.iter().enumerate() {
                if item.meets(service.as_deref(), &deployment, a, b) {
                    prop_assert!(got.contains(&at), "{:?} missing", item);
                }
            }
        }
    }

    proptest! {
        /// A service's outages: every one meeting `[a, b)` is among those
        /// `meeting` gives, and `all` keeps their order.
        #[test]
        fn every_timed_item_meeting_a_span_is_given(
            spans in proptest::collection::vec((-20i64..20, 0i64..15), 0..40),
            a in -25i64..25,
            len in 0i64..10,
        ) {
            let items: Vec<(i64, i64)> = spans.iter().map(|&(from, len)| (from, from + len)).collect();
            let timed = Timed::new(items.iter().collect(), |&(from, to)| (from, to));
            let all: Vec<(i64, i64)> = timed.all().iter().map(|x| **x).collect();
            prop_assert_eq!(&all, &items);
            let b = a + len;
            let given: Vec<&(i64, i64)> = timed.meeting(a, b).collect();
            for item in &items {
                if item.0 < b && item.1 > a {
                    prop_assert!(given.iter().any(|g| std::ptr::eq(*g, item)), "{:?} missing", item);
                }
            }
        }
    }

    #[test]
    fn far_intervals_are_not_candidates() {
        let items: Vec<Item> = (0..1000)
            .map(|i| Item::Interval(Some(vec!["a".into()]), i * 10, i * 10 + 5))
            .collect();
        let index = SpanIndex::new(items.iter().map(Item::reach));
        let got: Vec<usize> = index.candidates(Some("a"), "d", 5003, 5004).collect();
        assert_eq!(got, vec![500]);
        assert_eq!(index.candidates(Some("b"), "d", 5003, 5004).count(), 0);
        assert_eq!(index.candidates(None, "d", 0, 10_000).count(), 0);
        // A long interval early on reaches every later question.
        let mut items = items;
        items.push(Item::Interval(
            Some(vec!["a".into(), "a".into()]),
            -1,
            20_000,
        ));
        let index = SpanIndex::new(items.iter().map(Item::reach));
        let mut got: Vec<usize> = index.candidates(Some("a"), "d", 9_001, 9_002).collect();
        got.sort_unstable();
        assert!(got.contains(&1000) && got.len() < 1000, "{got:?}");
    }
}
