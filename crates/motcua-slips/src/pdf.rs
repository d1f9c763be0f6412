//! The second pass: laid-out operations into a PDF with krilla, which embeds the fonts as
//! subsets and writes the ToUnicode maps that keep the text searchable and copyable.

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};

use crate::SlipError;
use crate::layout::{BOLD_TTF, Face, Op, PAGE_H, PAGE_W, REGULAR_TTF};

pub fn write(pages: &[Vec<Op>], title: &str) -> Result<Vec<u8>, SlipError> {
    let regular = Font::new(REGULAR_TTF.into(), 0).ok_or(SlipError::Font)?;
    let bold = Font::new(BOLD_TTF.into(), 0).ok_or(SlipError::Font)?;
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(SlipError::Geometry)?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language("vi".to_string())
            .creator("motcua".to_string()),
    );
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    face,
                    size,
                    text,
                    ..
                } => {
                    let font = match face {
                        Face::Regular => regular.clone(),
                        Face::Bold => bold.clone(),
                    };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        *size,
                        text,
                        false,
                        TextDirection::LeftToRight,
                    );
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y1);
                    path.line_to(*x2, *y2);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: *width,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(Default::default()));
                    }
                }
                Op::Boxes(boxes) => {
                    let mut path = PathBuilder::new();
                    for (x, y, w, h) in boxes {
                        if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                            path.push_rect(rect);
                        }
                    }
                    if let Some(path) = path.finish() {
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| SlipError::Pdf(format!("{e:?}")))
}
