//! Server-rendered SVG bar charts for the figures pages: no script, no web font, a title for
//! screen readers, and always a data table beside them on the page.

use std::fmt::Write;

/// One bar: its label under the axis and its value (`None` draws no bar and says N/A).
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bar chart, `max` at the top (100 for percentages; the largest value otherwise).
pub fn bars(title: &str, bars: &[Bar], max: Option<f64>, unit: &str) -> String {
    const W: f64 = 640.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 28.0;
    const TOP: f64 = 12.0;
    let top_value = max
        .unwrap_or_else(|| bars.iter().filter_map(|b| b.value).fold(0.0, f64::max))
        .max(1.0);
    let plot_h = H - BOTTOM - TOP;
    let slot = (W - LEFT) / bars.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title),
        escape(title)
    );
    for step in 0..=4 {
        let v = top_value * f64::from(step) / 4.0;
        let y = TOP + plot_h - plot_h * f64::from(step) / 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{W}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{}</text>",
            LEFT - 4.0,
            y + 4.0,
            format_value(v, unit)
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64;
        let cx = x + slot / 2.0;
        if let Some(v) = b.value {
            let h = plot_h * (v / top_value).clamp(0.0, 1.0);
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" class=\"bar\"/>",
                x + slot * 0.15,
                TOP + plot_h - h,
                slot * 0.7
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
            H - 10.0,
            escape(&b.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn format_value(v: f64, unit: &str) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}{unit}")
    } else {
        format!("{v:.1}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rect_per_known_value_and_escaped_labels() {
        let svg = bars(
            "Đúng hạn <theo tháng>",
            &[
                Bar {
                    label: "11".into(),
                    value: Some(50.0),
                },
                Bar {
                    label: "12".into(),
                    value: None,
                },
                Bar {
                    label: "01".into(),
                    value: Some(100.0),
                },
            ],
            Some(100.0),
            "%",
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("<title>Đúng hạn &lt;theo tháng&gt;</title>"));
        // 100% reaches the top of the plot: y = 12, height 180.
        assert!(
            svg.contains("y=\"12.0\" width=\"139.1\" height=\"180.0\""),
            "{svg}"
        );
        assert!(svg.contains(">100%</text>"));
    }
}
