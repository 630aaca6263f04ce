//! One SVG chart per crate, written by hand: for each scenario a block of
//! horizontal bars, ours first and highlighted, then the peers, fastest
//! first. Each block is scaled to its own fastest implementation (scenarios
//! differ by orders of magnitude), and every bar is labelled with its
//! throughput; a whisker shows the median's confidence interval.

use std::fmt::Write as _;

use super::results::{Figure, Scenario, format_rate};

/// Whole chart width, in pixels.
const WIDTH: f64 = 820.0;
/// Left column for implementation names.
const NAME_COLUMN: f64 = 170.0;
/// Room to the right of the longest bar for its label.
const LABEL_ROOM: f64 = 170.0;
/// One bar's height and the step between bars.
const BAR: f64 = 14.0;
const STEP: f64 = 19.0;
/// Ours is orange; peers take these colours in order of first appearance.
const OURS_COLOUR: &str = "#d95f02";
const PEER_COLOURS: [&str; 6] = [
    "#1b9e77", "#7570b3", "#66a61e", "#e7298a", "#a6761d", "#666666",
];

/// The SVG document for one crate's scenarios (all assumed to share that
/// crate as ours).
pub fn svg(crate_name: &str, scenarios: &[&Scenario], subtitle: &str) -> String {
    let mut peer_names: Vec<&str> = Vec::new();
    for s in scenarios {
        for peer in &s.peers {
            if !peer_names.contains(&peer.name.as_str()) {
                peer_names.push(&peer.name);
            }
        }
    }
    let colour = |name: &str| {
        peer_names
            .iter()
            .position(|peer| *peer == name)
            .map_or(OURS_COLOUR, |i| PEER_COLOURS[i % PEER_COLOURS.len()])
    };

    let mut body = String::new();
    let mut y = 58.0;
    for s in scenarios {
        let _ = writeln!(
            body,
            r#"<text x="10" y="{:.1}" class="scenario">{}</text>"#,
            y + 12.0,
            escape(&scenario_title(s))
        );
        y += 20.0;
        let bars: Vec<&Figure> = std::iter::once(&s.ours).chain(&s.peers).collect();
        let max = bars
            .iter()
            .map(|f| f.upper.max(f.median))
            .fold(f64::MIN_POSITIVE, f64::max);
        let span = WIDTH - NAME_COLUMN - LABEL_ROOM;
        let x_of = |value: f64| NAME_COLUMN + span * (value / max).clamp(0.0, 1.0);
        for (i, f) in bars.iter().enumerate() {
            let class = if i == 0 { "name ours" } else { "name" };
            let mid = y + BAR / 2.0;
            let _ = writeln!(
                body,
                r#"<text x="{:.1}" y="{:.1}" class="{class}" text-anchor="end">{}</text>"#,
                NAME_COLUMN - 8.0,
                mid + 4.0,
                escape(&f.name)
            );
            let end = x_of(f.median);
            let _ = writeln!(
                body,
                r#"<rect x="{NAME_COLUMN:.1}" y="{y:.1}" width="{:.1}" height="{BAR:.1}" fill="{}"><title>{}: {} (interval {} to {})</title></rect>"#,
                (end - NAME_COLUMN).max(1.0),
                colour(&f.name),
                escape(&f.name),
                format_rate(f.median, &s.unit),
                format_rate(f.lower, &s.unit),
                format_rate(f.upper, &s.unit),
            );
            let (low, high) = (x_of(f.lower), x_of(f.upper));
            let _ = writeln!(
                body,
                r#"<path d="M{low:.1} {mid:.1}H{high:.1}M{low:.1} {:.1}V{:.1}M{high:.1} {:.1}V{:.1}" class="whisker"/>"#,
                mid - 3.0,
                mid + 3.0,
                mid - 3.0,
                mid + 3.0,
            );
            let _ = writeln!(
                body,
                r#"<text x="{:.1}" y="{:.1}" class="value">{}</text>"#,
                high.max(end) + 6.0,
                mid + 4.0,
                escape(&format_rate(f.median, &s.unit))
            );
            y += STEP;
        }
        y += 14.0;
    }

    let height = y + 10.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{height:.0}" viewBox="0 0 {WIDTH:.0} {height:.0}" font-family="sans-serif">"#
    );
    svg.push_str(
        "<style>\
         .title{font-size:16px;font-weight:bold}\
         .subtitle{font-size:11px;fill:#555}\
         .scenario{font-size:13px;font-weight:bold}\
         .name{font-size:12px}\
         .ours{font-weight:bold}\
         .value{font-size:11px;fill:#333}\
         .whisker{stroke:#222;stroke-width:1;fill:none}\
         </style>\n",
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        svg,
        r#"<text x="10" y="22" class="title">{}: ours against the peers (throughput, higher is better)</text>"#,
        escape(crate_name)
    );
    let _ = writeln!(
        svg,
        r#"<text x="10" y="40" class="subtitle">{}</text>"#,
        escape(subtitle)
    );
    svg.push_str(&body);
    svg.push_str("</svg>\n");
    svg
}

/// The block's heading: the scenario and, when there is a peer, the ratio.
fn scenario_title(s: &Scenario) -> String {
    match s.ratio() {
        Some(ratio) => format!("{}  ({ratio:.2}x the best peer)", s.name()),
        None => s.name(),
    }
}

/// `text` safe inside SVG text and attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::super::results::tests::sample;
    use super::*;

    #[test]
    fn one_bar_per_implementation_and_well_formed_text() {
        let all = sample();
        let vyukov: Vec<&Scenario> = all
            .iter()
            .filter(|s| s.crate_name() == "vyukov-mpmc")
            .collect();
        let svg = svg(
            "vyukov-mpmc",
            &vyukov,
            "bars: median; whiskers: 95% <interval> & more",
        );
        assert!(svg.starts_with("<svg "));
        assert!(svg.trim_end().ends_with("</svg>"));
        // 1p1c has ours + 2 peers, 8p8c ours + 1 peer; plus the background.
        assert_eq!(svg.matches("<rect ").count(), 1 + 3 + 2);
        assert_eq!(svg.matches("<path ").count(), 5);
        assert!(svg.contains("1.25x the best peer"));
        assert!(svg.contains("95% &lt;interval&gt; &amp; more"));
        // Ours keeps its colour; each peer keeps one colour across blocks.
        assert_eq!(svg.matches(OURS_COLOUR).count(), 2);
        let crossbeam_colour = PEER_COLOURS[1];
        assert_eq!(svg.matches(crossbeam_colour).count(), 2, "{svg}");
    }
}
