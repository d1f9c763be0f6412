//! Text as SVG can carry it: numbers short and finite, names escaped, labels wrapped to the
//! width of their shape (no font metrics here, so widths are estimated per character) and written
//! as `<text>` lines.

use std::fmt::{self, Write as _};

use super::geometry::{R, fin};
use super::paint::Paint;
use super::{CHAR_W, LINE_H, Painter, SMALL_CHAR_W, SMALL_LINE_H};

/// A number as SVG wants it: at most two decimals, no trailing zeros, never NaN.
pub(super) struct N(pub(super) f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = (fin(self.0) * 100.0).round() / 100.0;
        if v == 0.0 {
            return f.write_str("0");
        }
        let s = format!("{v:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        f.write_str(s)
    }
}

/// Escapes text for XML content and attribute values, and drops what XML 1.0 cannot carry.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Text for a `<title>` or the description: at most 1000 characters.
pub(super) fn clip(s: &str) -> String {
    const MAX: usize = 1000;
    match s.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", s.get(..at).unwrap_or_default()),
        None => s.to_string(),
    }
}

/// An id or class token: ASCII letters, digits, `-`, `_`.
pub(super) fn token(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Text longer than this is cut before it is laid out (the `<title>` keeps all of it).
const MAX_LABEL_CHARS: usize = 600;

/// The width of one character, in character widths: combining marks (Vietnamese written
/// decomposed) take none, narrow and wide letters a bit less or more.
fn char_width(c: char) -> f64 {
    match c {
        '\u{0300}'..='\u{036F}' => 0.0,
        'i' | 'l' | 'j' | 't' | 'f' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.55,
        'm' | 'w' | 'M' | 'W' => 1.45,
        c if c.is_uppercase() => 1.15,
        _ => 1.0,
    }
}

/// How wide `s` is drawn, roughly.
pub(super) fn text_width(s: &str, char_w: f64) -> f64 {
    s.chars().map(char_width).sum::<f64>() * char_w
}

/// Splits `text` into lines no wider than `max_w` (words longer than a line are cut, after a
/// hyphen if they have one), keeping the line breaks of the text itself. Linear in the text.
pub(super) fn wrap(text: &str, max_w: f64, char_w: f64) -> Vec<String> {
    let max_w = if max_w.is_finite() {
        max_w.max(char_w)
    } else {
        char_w
    };
    let text: String = if text.chars().count() > MAX_LABEL_CHARS {
        text.chars().take(MAX_LABEL_CHARS).chain(['…']).collect()
    } else {
        text.to_string()
    };
    let space = char_w;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in paragraph.split_whitespace() {
            let word_w = text_width(word, char_w);
            if !line.is_empty() && line_w + space + word_w <= max_w {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if word_w <= max_w {
                line.push_str(word);
                line_w = word_w;
                continue;
            }
            // The word alone does not fit: cut it.
            for c in word.chars() {
                let c_w = char_width(c) * char_w;
                if line_w + c_w > max_w && !line.is_empty() {
                    // Rather after a hyphen ("Sub-" / "Process") than anywhere.
                    let rest = match line.rfind('-') {
                        Some(at) if at > 0 && at + 1 < line.len() => line.split_off(at + 1),
                        _ => String::new(),
                    };
                    lines.push(std::mem::take(&mut line));
                    line_w = text_width(&rest, char_w);
                    line = rest;
                }
                line.push(c);
                line_w += c_w;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// Keeps at most `max` lines, the last one ending in "…" when some were dropped.
pub(super) fn truncate(mut lines: Vec<String>, max: usize, max_w: f64, char_w: f64) -> Vec<String> {
    let max = max.max(1);
    if lines.len() <= max {
        return lines;
    }
    lines.truncate(max);
    if let Some(last) = lines.last_mut() {
        let mut w = text_width(last, char_w) + char_w;
        while w > max_w {
            match last.pop() {
                Some(c) => w -= char_width(c) * char_w,
                None => break,
            }
        }
        let trimmed = last.trim_end().to_string();
        *last = format!("{trimmed}…");
    }
    lines
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Anchor {
    Start,
    Middle,
}

impl Painter<'_> {
    /// Lines centred in a box of `max_w` × `max_h` around (cx, cy), cut to fit.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn text_box(
        &mut self,
        cx: f64,
        cy: f64,
        max_w: f64,
        max_h: f64,
        text: &str,
        paint: Paint,
        small: bool,
    ) {
        let (cw, lh) = if small {
            (SMALL_CHAR_W, SMALL_LINE_H)
        } else {
            (CHAR_W, LINE_H)
        };
        let max_lines = if max_h.is_finite() {
            (max_h / lh).floor().max(1.0)
        } else {
            1.0
        };
        let lines = truncate(
            wrap(text, max_w, cw),
            max_lines.min(1e6) as usize,
            max_w,
            cw,
        );
        self.centered(cx, cy, &lines, paint, small);
    }

    /// Lines centred vertically and horizontally on (cx, cy).
    pub(super) fn centered(
        &mut self,
        cx: f64,
        cy: f64,
        lines: &[String],
        paint: Paint,
        small: bool,
    ) {
        let (lh, shift) = if small {
            (SMALL_LINE_H, 4.0)
        } else {
            (LINE_H, 4.5)
        };
        let first = cy - (lines.len() as f64 - 1.0) * lh / 2.0 + shift;
        self.lines(cx, first, lines, Anchor::Middle, paint, small);
    }

    /// A label outside its shape: centred on the label bounds' centre line, from their top.
    pub(super) fn external_label(&mut self, l: R, text: &str, paint: Paint) {
        if text.trim().is_empty() {
            return;
        }
        let max_w = l.w.max(90.0);
        let lines = wrap(text, max_w, SMALL_CHAR_W);
        let height = lines.len() as f64 * SMALL_LINE_H;
        let top = if l.h > height {
            l.y + (l.h - height) / 2.0
        } else {
            l.y
        };
        self.lines(
            l.cx(),
            top + SMALL_LINE_H - 3.0,
            &lines,
            Anchor::Middle,
            paint,
            true,
        );
    }

    /// `<text>` with one `<tspan>` per line, the first baseline at `y`.
    pub(super) fn lines(
        &mut self,
        x: f64,
        y: f64,
        lines: &[String],
        anchor: Anchor,
        paint: Paint,
        small: bool,
    ) {
        if lines.is_empty() {
            return;
        }
        let lh = if small { SMALL_LINE_H } else { LINE_H };
        let anchor = match anchor {
            Anchor::Start => "",
            Anchor::Middle => r#" text-anchor="middle""#,
        };
        let size = if small { r#" font-size="11""# } else { "" };
        // External labels get a white outline, to stay readable where lines cross them.
        let stroke = if small {
            r##"stroke="#fff" stroke-width="3" paint-order="stroke""##
        } else {
            r#"stroke="none""#
        };
        w!(
            self.out,
            r#"<text fill="{}" {stroke}{anchor}{size}>"#,
            paint.text
        );
        for (i, line) in lines.iter().enumerate() {
            w!(
                self.out,
                r#"<tspan x="{}" y="{}">{}</tspan>"#,
                N(x),
                N(y + i as f64 * lh),
                esc(line)
            );
        }
        self.out.push_str("</text>");
    }
}
