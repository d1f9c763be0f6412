//! Measuring and placing text on A5 pages. Layout is a first pass that only produces drawing
//! operations (`Op`) per page, so page breaks are plain bookkeeping and tests can check the
//! geometry (nothing overlaps, nothing leaves the page) without a PDF reader.

use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};
use unicode_normalization::UnicodeNormalization;

use crate::SlipError;

/// A5 portrait in PostScript points (148 × 210 mm).
pub const PAGE_W: f32 = 419.53;
pub const PAGE_H: f32 = 595.28;
/// Margins: wider on the left for binding, as administrative documents are filed.
pub const LEFT: f32 = 40.0;
pub const RIGHT: f32 = PAGE_W - 28.0;
pub const TOP: f32 = 30.0;
pub const BOTTOM: f32 = PAGE_H - 30.0;

pub static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSerif.ttf");
pub static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSerif-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

/// One font's character map and advance widths, read once per document.
struct Metrics<'a> {
    font: FontRef<'a>,
    glyphs: GlyphMetrics<'a>,
    units_per_em: f32,
}

impl<'a> Metrics<'a> {
    fn new(data: &'a [u8]) -> Result<Self, SlipError> {
        let font = FontRef::new(data).map_err(|_| SlipError::Font)?;
        let units_per_em = f32::from(font.head().map_err(|_| SlipError::Font)?.units_per_em());
        let glyphs = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        Ok(Metrics {
            font,
            glyphs,
            units_per_em,
        })
    }

    fn has(&self, c: char) -> bool {
        self.font.charmap().map(c).is_some()
    }

    /// Width in points at `size`, from advance widths (kerning ignored: a hair wide at most).
    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let units: f32 = text
            .chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| self.glyphs.advance_width(g))
                    .unwrap_or(0.0)
            })
            .sum();
        units * size / self.units_per_em
    }
}

/// What is drawn: text with its baseline at `y` (y grows downwards), lines and filled boxes.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        text: String,
        width: f32,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// Filled black rectangles `(x, y, w, h)` (the QR code's dark modules), as one path.
    Boxes(Vec<(f32, f32, f32, f32)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// Pages of operations and a cursor: where the next line goes.
pub struct Layout<'a> {
    regular: Metrics<'a>,
    bold: Metrics<'a>,
    pub pages: Vec<Vec<Op>>,
    pub y: f32,
}

/// One piece of a paragraph in one face.
pub type Run<'s> = (Face, &'s str);

impl Layout<'static> {
    pub fn new() -> Result<Self, SlipError> {
        Ok(Layout {
            regular: Metrics::new(REGULAR_TTF)?,
            bold: Metrics::new(BOLD_TTF)?,
            pages: vec![Vec::new()],
            y: TOP,
        })
    }
}

impl Layout<'_> {
    fn metrics(&self, face: Face) -> &Metrics<'_> {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    pub fn width(&self, face: Face, text: &str, size: f32) -> f32 {
        self.metrics(face).width(text, size)
    }

    /// NFC, whitespace collapsed, and any letter neither font has replaced by "?" so that no
    /// box (tofu) is ever printed.
    pub fn clean(&self, text: &str) -> String {
        let nfc: String = text.nfc().collect();
        let mut out = String::with_capacity(nfc.len());
        for word in nfc.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.chars().map(|c| {
                if !c.is_control() && self.regular.has(c) && self.bold.has(c) {
                    c
                } else {
                    '?'
                }
            }));
        }
        out
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more points fit above the bottom margin.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    pub fn text(&mut self, x: f32, y: f32, face: Face, size: f32, text: &str) {
        let width = self.width(face, text, size);
        self.push(Op::Text {
            x,
            y,
            face,
            size,
            text: text.to_string(),
            width,
        });
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.push(Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        });
    }

    pub fn boxes(&mut self, boxes: Vec<(f32, f32, f32, f32)>) {
        self.push(Op::Boxes(boxes));
    }

    /// Breaks runs into lines no wider than `max`; a word longer than a line is cut by letters.
    /// Each line is a list of runs, a space kept at the end of a run followed by another.
    pub fn wrap(&self, runs: &[Run<'_>], size: f32, max: f32) -> Vec<Vec<(Face, String)>> {
        let mut words: Vec<(Face, String)> = Vec::new();
        for (face, text) in runs {
            for word in self.clean(text).split(' ').filter(|w| !w.is_empty()) {
                words.extend(self.split_long(*face, word, size, max));
            }
        }
        let space = |face| self.width(face, " ", size);
        let mut lines: Vec<Vec<(Face, String)>> = Vec::new();
        let mut line: Vec<(Face, String)> = Vec::new();
        let mut used = 0.0;
        for (face, word) in words {
            let w = self.width(face, &word, size);
            let gap = if line.is_empty() { 0.0 } else { space(face) };
            if !line.is_empty() && used + gap + w > max {
                lines.push(std::mem::take(&mut line));
                used = 0.0;
            }
            match line.last_mut() {
                Some((f, text)) if *f == face => {
                    text.push(' ');
                    text.push_str(&word);
                }
                Some((_, text)) => {
                    text.push(' ');
                    line.push((face, word));
                }
                None => line.push((face, word)),
            }
            used += if used == 0.0 { w } else { gap + w };
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn split_long(&self, face: Face, word: &str, size: f32, max: f32) -> Vec<(Face, String)> {
        if self.width(face, word, size) <= max {
            return vec![(face, word.to_string())];
        }
        let mut parts = Vec::new();
        let mut part = String::new();
        for c in word.chars() {
            part.push(c);
            if self.width(face, &part, size) > max && part.chars().count() > 1 {
                part.pop();
                parts.push((face, std::mem::take(&mut part)));
                part.push(c);
            }
        }
        if !part.is_empty() {
            parts.push((face, part));
        }
        parts
    }

    /// A wrapped paragraph between `x0` and `x1` from the cursor down, breaking pages as needed.
    pub fn paragraph(&mut self, runs: &[Run<'_>], size: f32, x0: f32, x1: f32, align: Align) {
        let lead = size * 1.4;
        for line in self.wrap(runs, size, x1 - x0) {
            self.ensure(lead);
            self.y += lead;
            let width: f32 = line.iter().map(|(f, t)| self.width(*f, t, size)).sum();
            let mut x = match align {
                Align::Left => x0,
                Align::Center => x0 + (x1 - x0 - width) / 2.0,
            };
            let baseline = self.y - size * 0.3;
            for (face, text) in line {
                let w = self.width(face, &text, size);
                self.text(x, baseline, face, size, &text);
                x += w;
            }
        }
    }

    /// The largest size not above `size` at which `text` fits on one line of `max` points.
    pub fn fit(&self, face: Face, text: &str, size: f32, max: f32) -> f32 {
        let w = self.width(face, text, size);
        if w <= max {
            size
        } else {
            size * max / w * 0.995
        }
    }
}
