//! Simple charts for the printable report, drawn as SVG on the server: no script, nothing to
//! load, and they print as sharply as the text. Each chart has a title and a description for
//! screen readers, and every bar carries its figure as text beside it (never colour alone).

use std::fmt::Write;

/// One bar: its label, its length as a share of the longest (`None`: no bar, e.g. hidden or no
/// data) and the words beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub says: String,
}

/// Text made safe inside SVG/HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const WIDTH: f64 = 680.0;
const INK: &str = "#0b0c0c";
const BAR: &str = "#1d70b8";

/// Horizontal bars, one per row, longest first as given; lengths relative to the largest value
/// (or to 1 when `whole` says the values are shares of a whole).
pub fn bars(id: &str, title: &str, about: &str, bars: &[Bar], whole: bool) -> String {
    let (label_w, row_h, top) = (210.0, 26.0, 8.0);
    // Room after the longest bar for its words ("0.85% (6 of 708 under-fives)").
    let plot_w = WIDTH - label_w - 200.0;
    let max = if whole {
        1.0
    } else {
        bars.iter()
            .filter_map(|b| b.value)
            .fold(0.0_f64, f64::max)
            .max(f64::MIN_POSITIVE)
    };
    let height = top * 2.0 + row_h * bars.len().max(1) as f64;
    let mut svg = open(id, title, about, height);
    if bars.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" fill="{INK}" font-size="14">Nothing to show for this period.</text>"#,
            top + 16.0
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let len = b.value.map_or(0.0, |v| (v / max).clamp(0.0, 1.0) * plot_w);
        let _ = write!(
            svg,
            r#"<text x="{x}" y="{ty}" text-anchor="end" fill="{INK}" font-size="13">{label}</text>"#,
            x = label_w - 8.0,
            ty = y + 17.0,
            label = esc(&shorten(&b.label, 30)),
        );
        if len > 0.0 {
            let _ = write!(
                svg,
                r#"<rect class="bar" x="{label_w}" y="{ry}" width="{len:.1}" height="18" fill="{BAR}"/>"#,
                ry = y + 4.0,
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{ty}" fill="{INK}" font-size="13">{says}</text>"#,
            x = label_w + len + 6.0,
            ty = y + 17.0,
            says = esc(&b.says),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Columns over time (weeks), each a share of a whole (0 to 1), with a 0%/50%/100% scale and a
/// date under every few columns.
pub fn columns(id: &str, title: &str, about: &str, cols: &[Bar]) -> String {
    let (left, top, plot_h, base) = (44.0, 10.0, 150.0, 40.0);
    let height = top + plot_h + base;
    let mut svg = open(id, title, about, height);
    for (share, text) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let y = top + plot_h * (1.0 - share);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{WIDTH}" y1="{y}" y2="{y}" stroke="#b1b4b6" stroke-width="1"/><text x="{tx}" y="{ty}" text-anchor="end" fill="{INK}" font-size="12">{text}</text>"##,
            tx = left - 6.0,
            ty = y + 4.0,
        );
    }
    if cols.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{}" fill="{INK}" font-size="14">No marks in this period.</text>"#,
            top + plot_h / 2.0
        );
    }
    let step = (WIDTH - left) / cols.len().max(1) as f64;
    let every = (cols.len() / 8).max(1);
    for (i, c) in cols.iter().enumerate() {
        let x = left + step * i as f64;
        if let Some(v) = c.value {
            let h = v.clamp(0.0, 1.0) * plot_h;
            let _ = write!(
                svg,
                r#"<rect class="bar" x="{bx:.1}" y="{by:.1}" width="{bw:.1}" height="{h:.1}" fill="{BAR}"><title>{says}</title></rect>"#,
                bx = x + step * 0.15,
                by = top + plot_h - h,
                bw = step * 0.7,
                says = esc(&format!("{}: {}", c.label, c.says)),
            );
        }
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{tx:.1}" y="{ty}" fill="{INK}" font-size="11">{label}</text>"#,
                tx = x + 2.0,
                ty = top + plot_h + 16.0,
                label = esc(&c.label),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn open(id: &str, title: &str, about: &str, height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" aria-labelledby="{id}-title {id}-about"><title id="{id}-title">{}</title><desc id="{id}-about">{}</desc>"#,
        esc(title),
        esc(about)
    )
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: Option<f64>, says: &str) -> Bar {
        Bar {
            label: label.into(),
            value,
            says: says.into(),
        }
    }

    #[test]
    fn bars_are_as_long_as_their_share_and_say_their_figure() {
        let svg = bars(
            "reach",
            "Reach by ward",
            "Children reached as a share of the under-fives",
            &[
                bar("Stockwell <East>", Some(0.2), "20% (12 of 60)"),
                bar("Vassall", Some(0.1), "10%"),
                bar("Oval", None, "<5"),
            ],
            false,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Stockwell &lt;East&gt;") && svg.contains("&lt;5"));
        // The largest fills the plot; half of it is half as long; a hidden one has no bar.
        assert!(svg.contains(r#"width="270.0""#), "{svg}");
        assert!(svg.contains(r#"width="135.0""#), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(r#"role="img""#) && svg.contains("<desc id=\"reach-about\">"));
    }

    #[test]
    fn columns_scale_to_a_whole_and_name_every_few_weeks() {
        let weeks: Vec<Bar> = (0..20)
            .map(|i| bar(&format!("w{i}"), Some(0.5), "50%"))
            .collect();
        let svg = columns("weeks", "Attendance by week", "Share of marks", &weeks);
        assert_eq!(svg.matches("<rect").count(), 20);
        assert!(svg.contains(r#"height="75.0""#), "{svg}");
        assert!(svg.contains(">w0<") && svg.contains(">w2<") && !svg.contains(">w1<"));
        assert!(columns("e", "t", "a", &[]).contains("No marks"));
    }
}
