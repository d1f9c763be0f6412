//! QR codes drawn as filled rectangles: no image, sharp at any zoom and on any printer.

use qrcode::{Color, EcLevel, QrCode};

use crate::SlipError;

/// The dark modules of `data`'s QR code in a square of `side` points at (`x`, `y`), each run of
/// dark modules in a row as one rectangle. Level M survives a crease or a smudge on paper.
pub fn boxes(
    data: &str,
    x: f32,
    y: f32,
    side: f32,
) -> Result<Vec<(f32, f32, f32, f32)>, SlipError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|_| SlipError::QrTooLong)?;
    let n = code.width();
    let module = side / n as f32;
    let colors = code.to_colors();
    let mut out = Vec::new();
    for (row, line) in colors.chunks(n).enumerate() {
        let mut col = 0;
        while col < n {
            if line[col] == Color::Dark {
                let start = col;
                while col < n && line[col] == Color::Dark {
                    col += 1;
                }
                out.push((
                    x + start as f32 * module,
                    y + row as f32 * module,
                    (col - start) as f32 * module,
                    module,
                ));
            } else {
                col += 1;
            }
        }
    }
    Ok(out)
}
