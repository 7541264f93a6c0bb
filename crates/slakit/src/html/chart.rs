//! Inline SVG charts for the dashboard: a per-window line chart against a
//! target line, and error-budget bars.
//!
//! A small module of our own rather than plotters' SVG backend: the
//! dashboard needs two chart types, each point a status *shape* (circle,
//! cross, triangle, ring) so a verdict survives grey-scale printing and
//! colour blindness, `<title>` tooltips and an accessible `<title>`/`<desc>`
//! per chart, CSS classes instead of inline colours (one palette, one print
//! style), and coordinates written with one decimal so output is
//! byte-identical everywhere. The geometry ([`Frame`], [`y_range`],
//! [`ticks`], [`label_step`]) is separate from the drawing and unit-tested.
//!
//! Every text that reaches the SVG goes through [`escape`].

use std::fmt::Write as _;

/// Escape text for HTML and SVG (element content and quoted attributes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A verdict, drawn as a shape as well as a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// The target was met: a filled circle.
    Met,
    /// Below target in an open window: a triangle.
    AtRisk,
    /// The target was missed: a cross.
    Breached,
    /// Nothing to judge: a ring on the axis.
    NoData,
}

impl Status {
    /// From the report's status string (unknown strings read as `no_data`).
    pub fn parse(text: &str) -> Status {
        match text {
            "met" => Status::Met,
            "at_risk" => Status::AtRisk,
            "breached" => Status::Breached,
            _ => Status::NoData,
        }
    }

    /// The CSS class suffix and the report's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::AtRisk => "at_risk",
            Status::Breached => "breached",
            Status::NoData => "no_data",
        }
    }

    /// How bad it is, for "worst first" orderings (higher is worse).
    pub fn severity(self) -> u8 {
        match self {
            Status::Breached => 3,
            Status::AtRisk => 2,
            Status::NoData => 1,
            Status::Met => 0,
        }
    }
}

/// What the y axis measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A ratio in [0, 1], labelled in percent.
    Ratio,
    /// A count (deployment frequency), from 0.
    Count,
}

/// A plotting area inside an SVG canvas, and the value range it maps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Left edge of the plot area.
    pub left: f64,
    /// Top edge of the plot area.
    pub top: f64,
    /// Width of the plot area.
    pub width: f64,
    /// Height of the plot area.
    pub height: f64,
    /// The value at the bottom edge.
    pub lo: f64,
    /// The value at the top edge.
    pub hi: f64,
    /// How many windows share the x axis (each gets an equal band).
    pub bands: usize,
}

impl Frame {
    /// The bottom edge of the plot area.
    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// The y coordinate of a value, clamped to the plot area.
    pub fn y(&self, value: f64) -> f64 {
        let span = self.hi - self.lo;
        let t = if span > 0.0 {
            ((value - self.lo) / span).clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.bottom() - t * self.height
    }

    /// The width of one window's band.
    pub fn band(&self) -> f64 {
        self.width / self.bands.max(1) as f64
    }

    /// The x coordinate of the centre of window `i` (0-based).
    pub fn x(&self, i: usize) -> f64 {
        self.left + (i as f64 + 0.5) * self.band()
    }
}

/// The y range `[lo, hi]` that shows every value and target.
///
/// Ratios end at 100% and start at the lowest value or target rounded down
/// to a 10% step, leaving one step of room below it (0% at the least), so
/// that 95% against 90% is not squashed against the top. Counts start at 0
/// and end at the largest value or target rounded up to a "nice" number.
pub fn y_range(values: &[f64], scale: Scale) -> (f64, f64) {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    match scale {
        Scale::Ratio => {
            let min = finite.fold(1.0_f64, f64::min).clamp(0.0, 1.0);
            let floor = (min * 10.0 + 1e-9).floor() / 10.0;
            let lo = if floor >= min - 1e-9 {
                floor - 0.1
            } else {
                floor
            };
            (lo.max(0.0), 1.0)
        }
        Scale::Count => {
            let max = finite.fold(0.0_f64, f64::max);
            (0.0, nice_ceil(max.max(1.0)))
        }
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10^k that is at least `x` (x > 0).
fn nice_ceil(x: f64) -> f64 {
    let mut magnitude = 1.0;
    while magnitude * 10.0 <= x {
        magnitude *= 10.0;
    }
    while magnitude > x {
        magnitude /= 10.0;
    }
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * magnitude >= x - 1e-9 {
            return m * magnitude;
        }
    }
    10.0 * magnitude
}

/// Gridline values from `lo` to `hi` inclusive: a step of 1, 2, 2.5 or 5
/// × 10^k giving at most 6 lines.
pub fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    if span <= 0.0 || !span.is_finite() {
        return vec![lo];
    }
    let step = nice_ceil(span / 5.0);
    let mut out = Vec::new();
    let first = (lo / step - 1e-9).ceil();
    let mut k = first;
    loop {
        let v = k * step;
        if v > hi + 1e-9 || out.len() > 12 {
            break;
        }
        // Round away float noise (0.30000000000000004 → 0.3).
        // `+ 0.0` turns -0 into 0.
        out.push((v * 1e9).round() / 1e9 + 0.0);
        k += 1.0;
    }
    out
}

/// Label every `n`-th window so that at most `max_labels` labels show.
pub fn label_step(windows: usize, max_labels: usize) -> usize {
    if windows <= max_labels.max(1) {
        1
    } else {
        windows.div_ceil(max_labels.max(1))
    }
}

fn tick_label(v: f64, scale: Scale) -> String {
    match scale {
        Scale::Ratio => {
            let text = format!("{:.1}", v * 100.0);
            let text = text.strip_suffix(".0").unwrap_or(&text).to_string();
            format!("{text}%")
        }
        Scale::Count => {
            let text = format!("{v:.1}");
            text.strip_suffix(".0").unwrap_or(&text).to_string()
        }
    }
}

/// One window of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The window's label (`2026-03`).
    pub label: String,
    /// The compliance, rate or count; `None` without data.
    pub value: Option<f64>,
    /// The target line at this window, when there is one.
    pub target: Option<f64>,
    /// The verdict.
    pub status: Status,
    /// The tooltip: what a reader sees on hover.
    pub tooltip: String,
}

/// A chart of one segment's windows over time.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// The accessible title (also drawn at the top).
    pub title: String,
    /// The y axis.
    pub scale: Scale,
    /// The windows, oldest first.
    pub points: Vec<Point>,
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
}

/// Margins of a line chart's canvas: left (tick labels), right, top (title), bottom (x labels).
const MARGIN: (f64, f64, f64, f64) = (44.0, 10.0, 22.0, 30.0);
/// The widest a label may be drawn, in characters, before it is cut.
const MAX_LABEL_CHARS: usize = 16;

impl LineChart {
    /// The plot frame of this chart.
    pub fn frame(&self) -> Frame {
        let mut values: Vec<f64> = self.points.iter().filter_map(|p| p.value).collect();
        values.extend(self.points.iter().filter_map(|p| p.target));
        let (lo, hi) = y_range(&values, self.scale);
        let (l, r, t, b) = MARGIN;
        Frame {
            left: l,
            top: t,
            width: (self.width - l - r).max(1.0),
            height: (self.height - t - b).max(1.0),
            lo,
            hi,
            bands: self.points.len(),
        }
    }

    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let f = self.frame();
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="chart line" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"><title>{title}</title><desc>{desc}</desc>"#,
            w = n1(self.width),
            h = n1(self.height),
            title = escape(&self.title),
            desc = escape(&self.description()),
        );
        let _ = write!(
            s,
            r#"<text class="ctitle" x="{}" y="14">{}</text>"#,
            n1(f.left),
            escape(&clip(&self.title, 60))
        );
        // Gridlines and y labels.
        for v in ticks(f.lo, f.hi) {
            let y = f.y(v);
            let _ = write!(
                s,
                r#"<line class="grid" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/><text class="tick" x="{tx}" y="{ty}" text-anchor="end">{label}</text>"#,
                x1 = n1(f.left),
                x2 = n1(f.left + f.width),
                y = n1(y),
                tx = n1(f.left - 4.0),
                ty = n1(y + 3.5),
                label = escape(&tick_label(v, self.scale)),
            );
        }
        // Axes.
        let _ = write!(
            s,
            r#"<path class="axis" d="M{l} {t}V{b}H{r}"/>"#,
            l = n1(f.left),
            t = n1(f.top),
            b = n1(f.bottom()),
            r = n1(f.left + f.width),
        );
        // x labels, thinned so they do not overlap.
        let max_labels = ((f.width / 56.0).floor() as usize).max(1);
        let step = label_step(self.points.len(), max_labels);
        for (i, p) in self.points.iter().enumerate() {
            if i % step == 0 {
                let _ = write!(
                    s,
                    r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                    n1(f.x(i)),
                    n1(f.bottom() + 14.0),
                    escape(&clip(&p.label, MAX_LABEL_CHARS))
                );
            }
        }
        // The target: one step per window, dashed.
        let target = self.target_path(&f);
        if !target.is_empty() {
            let _ = write!(s, r#"<path class="target" d="{target}"/>"#);
        }
        // The values: a line through consecutive windows with data.
        let line = self.value_path(&f);
        if !line.is_empty() {
            let _ = write!(s, r#"<path class="value" d="{line}"/>"#);
        }
        // The markers: one shape per status, each with its tooltip.
        for (i, p) in self.points.iter().enumerate() {
            let x = f.x(i);
            let y = match p.value {
                Some(v) => f.y(v),
                None => f.bottom(),
            };
            let _ = write!(
                s,
                r#"<g class="mark {}"><title>{}</title>{}</g>"#,
                p.status.as_str(),
                escape(&p.tooltip),
                marker(p.status, x, y)
            );
        }
        s.push_str("</svg>");
        s
    }

    /// The `d` of the target step line (empty without targets).
    pub fn target_path(&self, f: &Frame) -> String {
        let half = f.band() / 2.0;
        let mut d = String::new();
        let mut previous: Option<f64> = None;
        for (i, p) in self.points.iter().enumerate() {
            match p.target {
                Some(t) => {
                    let y = f.y(t);
                    let x0 = f.x(i) - half;
                    if let Some(p) = previous {
                        if n1(p) != n1(y) {
                            let _ = write!(d, "V{}", n1(y));
                        }
                    } else {
                        let _ = write!(d, "M{} {}", n1(x0), n1(y));
                    }
                    let _ = write!(d, "H{}", n1(x0 + f.band()));
                    previous = Some(y);
                }
                None => previous = None,
            }
        }
        d
    }

    /// The `d` of the value line (empty when fewer than two adjacent windows have data).
    pub fn value_path(&self, f: &Frame) -> String {
        let mut d = String::new();
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, d: &mut String| {
            if run.len() > 1 {
                for (k, (x, y)) in run.iter().enumerate() {
                    let _ = write!(d, "{}{} {}", if k == 0 { "M" } else { "L" }, n1(*x), n1(*y));
                }
            }
            run.clear();
        };
        for (i, p) in self.points.iter().enumerate() {
            match p.value {
                Some(v) => run.push((f.x(i), f.y(v))),
                None => flush(&mut run, &mut d),
            }
        }
        flush(&mut run, &mut d);
        d
    }

    /// A sentence for screen readers: the windows and how many were missed.
    pub fn description(&self) -> String {
        let n = self.points.len();
        let breached = self
            .points
            .iter()
            .filter(|p| p.status == Status::Breached)
            .count();
        match (self.points.first(), self.points.last()) {
            (Some(first), Some(last)) if n > 1 => format!(
                "{n} windows from {} to {}, {breached} breached",
                first.label, last.label
            ),
            (Some(first), _) => format!("one window, {}: {}", first.label, first.tooltip),
            _ => "no windows".to_string(),
        }
    }
}

/// The shape of a status at (x, y): circle, triangle, cross, ring.
pub fn marker(status: Status, x: f64, y: f64) -> String {
    match status {
        Status::Met => format!(r#"<circle cx="{}" cy="{}" r="3.5"/>"#, n1(x), n1(y)),
        Status::AtRisk => format!(r#"<path d="M{} {}l4.5 8h-9z"/>"#, n1(x), n1(y - 5.0)),
        Status::Breached => format!(
            r#"<path d="M{a} {b}l8 8m0 -8l-8 8"/>"#,
            a = n1(x - 4.0),
            b = n1(y - 4.0)
        ),
        Status::NoData => format!(
            r#"<circle cx="{}" cy="{}" r="3" class="ring"/>"#,
            n1(x),
            n1(y)
        ),
    }
}

/// One bar of an error-budget chart: the breaches a window allows, and
/// how many it has had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetBar {
    /// The segment.
    pub label: String,
    /// Breaches the objective allows.
    pub allowed: i64,
    /// Breaches so far.
    pub used: i64,
}

impl BudgetBar {
    /// What the bar says in words: `1 of 3 left`, `overspent by 2 (0 allowed)`.
    pub fn text(&self) -> String {
        let left = self.allowed - self.used;
        if left >= 0 {
            format!("{left} of {} left", self.allowed)
        } else {
            format!("overspent by {} ({} allowed)", -left, self.allowed)
        }
    }
}

/// Row height and the width given to labels and to the text after a bar.
const BAR_ROW: f64 = 22.0;
const BAR_LABEL: f64 = 230.0;
const BAR_TEXT: f64 = 170.0;

/// Error-budget bars: one row per segment; an outlined box is the budget,
/// the solid part what was spent, a hatched part what was overspent.
/// `id` names the hatch pattern (unique in the page).
pub fn budget_bars(id: &str, title: &str, bars: &[BudgetBar], width: f64) -> String {
    let height = 8.0 + BAR_ROW * bars.len().max(1) as f64;
    let scale_max = bars
        .iter()
        .map(|b| b.allowed.max(b.used))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let plot = (width - BAR_LABEL - BAR_TEXT).max(10.0);
    let px = |n: i64| n.max(0) as f64 / scale_max * plot;
    let mut s = String::new();
    let pattern = format!("hatch-{}", escape(id));
    let _ = write!(
        s,
        r#"<svg class="chart budget" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"><title>{t}</title><defs><pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>"#,
        w = n1(width),
        h = n1(height),
        t = escape(title),
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + BAR_ROW * i as f64;
        let spent = b.used.min(b.allowed);
        let over = (b.used - b.allowed).max(0);
        let state = if over > 0 {
            "over"
        } else if b.used > 0 && b.used == b.allowed {
            "spent"
        } else {
            "ok"
        };
        let _ = write!(
            s,
            r#"<g class="bar {state}"><title>{label}: {text}</title><text class="tick" x="{lx}" y="{ty}" text-anchor="end">{short}</text><rect class="budget" x="{x0}" y="{y}" width="{bw}" height="14"/>"#,
            label = escape(&b.label),
            text = escape(&b.text()),
            lx = n1(BAR_LABEL - 6.0),
            ty = n1(y + 11.0),
            short = escape(&clip(&b.label, 36)),
            x0 = n1(BAR_LABEL),
            y = n1(y),
            bw = n1(px(b.allowed)),
        );
        if spent > 0 {
            let _ = write!(
                s,
                r#"<rect class="spent" x="{}" y="{}" width="{}" height="14"/>"#,
                n1(BAR_LABEL),
                n1(y),
                n1(px(spent))
            );
        }
        if over > 0 {
            let _ = write!(
                s,
                r#"<rect class="overspent" x="{}" y="{}" width="{}" height="14" fill="url(#{pattern})"/>"#,
                n1(BAR_LABEL + px(b.allowed)),
                n1(y),
                n1(px(over))
            );
        }
        let _ = write!(
            s,
            r#"<text class="tick" x="{}" y="{}">{}</text></g>"#,
            n1(BAR_LABEL + px(b.allowed.max(b.used)) + 6.0),
            n1(y + 11.0),
            escape(&b.text())
        );
    }
    s.push_str("</svg>");
    s
}

/// At most `max` characters, with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A coordinate with one decimal, `-0.0` written as `0`, `.0` dropped.
pub fn n1(x: f64) -> String {
    let text = format!("{x:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;

    fn point(label: &str, value: Option<f64>, target: f64, status: Status) -> Point {
        Point {
            label: label.to_string(),
            value,
            target: Some(target),
            status,
            tooltip: label.to_string(),
        }
    }

    fn chart(points: Vec<Point>, scale: Scale) -> LineChart {
        LineChart {
            title: "lead-time".to_string(),
            scale,
            points,
            width: 320.0,
            height: 160.0,
        }
    }

    #[test]
    fn ratio_range_ends_at_100_and_leaves_a_step_below_the_lowest() {
        assert_eq!(y_range(&[0.95, 0.9], Scale::Ratio), (0.8, 1.0));
        assert_eq!(y_range(&[0.777778, 0.9], Scale::Ratio), (0.7, 1.0));
        // All at 100%: still a visible range.
        assert_eq!(y_range(&[1.0, 1.0], Scale::Ratio), (0.9, 1.0));
        // 0% reaches the floor and no lower.
        assert_eq!(y_range(&[0.0, 0.9], Scale::Ratio), (0.0, 1.0));
        assert_eq!(y_range(&[0.05], Scale::Ratio), (0.0, 1.0));
        // No values: a default band.
        assert_eq!(y_range(&[], Scale::Ratio), (0.9, 1.0));
        // Nonsense is clamped into [0, 1].
        assert_eq!(y_range(&[-3.0, f64::NAN], Scale::Ratio), (0.0, 1.0));
    }

    #[test]
    fn count_range_starts_at_zero_and_ends_on_a_nice_number() {
        assert_eq!(y_range(&[0.0, 3.0, 2.0], Scale::Count), (0.0, 5.0));
        assert_eq!(y_range(&[12.0], Scale::Count), (0.0, 20.0));
        assert_eq!(y_range(&[0.0], Scale::Count), (0.0, 1.0));
        assert_eq!(y_range(&[250.0, 1.0], Scale::Count), (0.0, 250.0));
        assert_eq!(y_range(&[], Scale::Count), (0.0, 1.0));
    }

    #[test]
    fn ticks_cover_the_range_in_nice_steps() {
        assert_eq!(ticks(0.8, 1.0), vec![0.8, 0.85, 0.9, 0.95, 1.0]);
        assert_eq!(ticks(0.0, 1.0), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ticks(0.0, 5.0), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(ticks(0.9, 0.9), vec![0.9]);
        for (lo, hi) in [(0.0, 1.0), (0.3, 1.0), (0.0, 250.0), (0.0, 20.0)] {
            let t = ticks(lo, hi);
            assert!(t.len() >= 2 && t.len() <= 7, "{lo}..{hi}: {t:?}");
            assert!(t.iter().all(|v| *v >= lo - 1e-9 && *v <= hi + 1e-9));
            assert!(t.windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(tick_label(0.85, Scale::Ratio), "85%");
        assert_eq!(tick_label(0.955, Scale::Ratio), "95.5%");
        assert_eq!(tick_label(2.5, Scale::Count), "2.5");
    }

    #[test]
    fn frame_maps_the_range_onto_the_plot_and_clamps() {
        let c = chart(
            vec![
                point("2026-01", Some(0.0), 0.9, Status::Breached),
                point("2026-02", Some(1.0), 0.9, Status::Met),
            ],
            Scale::Ratio,
        );
        let f = c.frame();
        assert_eq!((f.lo, f.hi), (0.0, 1.0));
        // 0% on the x axis, 100% on the top edge.
        assert_eq!(f.y(0.0), f.bottom());
        assert_eq!(f.y(1.0), f.top);
        assert_eq!(f.y(2.0), f.top);
        assert_eq!(f.y(-1.0), f.bottom());
        // Two bands, centred.
        assert_eq!(f.x(0), f.left + f.width / 4.0);
        assert_eq!(f.x(1), f.left + 3.0 * f.width / 4.0);
        let svg = c.svg();
        assert!(svg.contains(&format!(r#"cy="{}""#, n1(f.top))), "{svg}");
        // The cross of the 0% window sits on the x axis.
        assert!(svg.contains(&format!(
            "M{} {}l8 8",
            n1(f.x(0) - 4.0),
            n1(f.bottom() - 4.0)
        )));
    }

    #[test]
    fn a_single_window_is_centred_with_a_full_width_target() {
        let c = chart(
            vec![point("2026-03", Some(0.95), 0.9, Status::Met)],
            Scale::Ratio,
        );
        let f = c.frame();
        assert_eq!(f.x(0), f.left + f.width / 2.0);
        let target = c.target_path(&f);
        assert_eq!(
            target,
            format!("M{} {}H{}", n1(f.left), n1(f.y(0.9)), n1(f.left + f.width))
        );
        // One point: no line, one marker.
        assert_eq!(c.value_path(&f), "");
        let svg = c.svg();
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(svg.contains("<desc>one window, 2026-03: 2026-03</desc>"));
    }

    #[test]
    fn a_hundred_windows_fit_with_thinned_labels() {
        let points: Vec<Point> = (0..100)
            .map(|i| {
                let status = if i % 7 == 0 {
                    Status::Breached
                } else {
                    Status::Met
                };
                point(
                    &format!("w{i:03}"),
                    Some(0.8 + (i % 20) as f64 / 100.0),
                    0.9,
                    status,
                )
            })
            .collect();
        let c = chart(points, Scale::Ratio);
        let f = c.frame();
        assert_eq!(f.bands, 100);
        // Every marker is inside the plot area.
        for i in 0..100 {
            assert!(f.x(i) > f.left && f.x(i) < f.left + f.width);
        }
        let svg = c.svg();
        assert_eq!(svg.matches(r#"<g class="mark "#).count(), 100);
        assert_eq!(svg.matches(r#"<g class="mark breached"#).count(), 15);
        // Labels thinned to what fits in the width: 266 px / 56 px → 4 at most.
        let labels = svg.matches(r#"text-anchor="middle""#).count();
        assert_eq!(label_step(100, 4), 25);
        assert_eq!(labels, 4);
        // The target is one continuous step line.
        assert_eq!(c.target_path(&f).matches('M').count(), 1);
        assert!(
            c.description()
                .starts_with("100 windows from w000 to w099, 15 breached")
        );
    }

    #[test]
    fn gaps_without_data_break_the_line_and_sit_on_the_axis() {
        let c = chart(
            vec![
                point("a", Some(0.9), 0.9, Status::Met),
                point("b", Some(0.95), 0.9, Status::Met),
                point("c", None, 0.9, Status::NoData),
                point("d", Some(0.92), 0.9, Status::Met),
            ],
            Scale::Ratio,
        );
        let f = c.frame();
        let d = c.value_path(&f);
        assert_eq!(d.matches('M').count(), 1, "{d}");
        assert_eq!(d.matches('L').count(), 1, "{d}");
        let svg = c.svg();
        assert!(svg.contains(&format!(
            r#"<circle cx="{}" cy="{}" r="3" class="ring"/>"#,
            n1(f.x(2)),
            n1(f.bottom())
        )));
    }

    #[test]
    fn each_status_has_its_own_shape() {
        let shapes: Vec<String> = [
            Status::Met,
            Status::AtRisk,
            Status::Breached,
            Status::NoData,
        ]
        .iter()
        .map(|s| marker(*s, 10.0, 10.0))
        .collect();
        for (i, a) in shapes.iter().enumerate() {
            for b in shapes.iter().skip(i + 1) {
                assert_ne!(a, b);
            }
        }
        assert!(shapes[0].starts_with("<circle"));
        assert!(shapes[2].contains("l8 8m0 -8l-8 8"));
    }

    #[test]
    fn count_charts_use_plain_numbers() {
        let c = chart(
            vec![
                point("w1", Some(0.0), 3.0, Status::Breached),
                point("w2", Some(4.0), 3.0, Status::Met),
            ],
            Scale::Count,
        );
        let svg = c.svg();
        assert!(
            svg.contains(">5</text>") && svg.contains(">0</text>"),
            "{svg}"
        );
        assert!(!svg.contains('%'));
    }

    #[test]
    fn text_in_charts_is_escaped() {
        let mut c = chart(
            vec![point("<b>x</b>", Some(0.9), 0.9, Status::Met)],
            Scale::Ratio,
        );
        c.title = "<script>alert(1)</script>".to_string();
        c.points[0].tooltip = "\"'&".to_string();
        let svg = c.svg();
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("&quot;&#39;&amp;"));
        let bars = budget_bars(
            "a\"b",
            "<t>",
            &[BudgetBar {
                label: "<script>".to_string(),
                allowed: 1,
                used: 0,
            }],
            500.0,
        );
        assert!(!bars.contains("<script>") && !bars.contains("<t>") && !bars.contains("a\"b"));
    }

    #[test]
    fn budget_bars_show_spent_and_overspent_parts() {
        let bars = [
            BudgetBar {
                label: "checkout".into(),
                allowed: 2,
                used: 1,
            },
            BudgetBar {
                label: "payments-api".into(),
                allowed: 0,
                used: 2,
            },
            BudgetBar {
                label: "search".into(),
                allowed: 4,
                used: 0,
            },
        ];
        assert_eq!(bars[0].text(), "1 of 2 left");
        assert_eq!(bars[1].text(), "overspent by 2 (0 allowed)");
        let svg = budget_bars("lead-time", "budget", &bars, 540.0);
        // Scale: the largest of allowed/used is 4 → 140 px of plot.
        assert!(
            svg.contains(r#"<rect class="spent" x="230" y="4" width="35" height="14"/>"#),
            "{svg}"
        );
        assert!(svg.contains(r#"<rect class="overspent" x="230" y="26" width="70" height="14" fill="url(#hatch-lead-time)"/>"#), "{svg}");
        assert_eq!(svg.matches("class=\"spent\"").count(), 1);
        assert!(svg.contains(r#"<g class="bar over">"#));
        assert!(svg.contains(r#"height="74""#));
        // No bars: still a valid, empty chart.
        let empty = budget_bars("x", "none", &[], 540.0);
        assert!(empty.starts_with("<svg") && empty.ends_with("</svg>"));
    }

    #[test]
    fn coordinates_are_written_the_same_way_everywhere() {
        assert_eq!(n1(1.0), "1");
        assert_eq!(n1(1.26), "1.3");
        assert_eq!(n1(-0.01), "0");
        assert_eq!(n1(170.0), "170");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
