//! QR codes drawn as inline SVG: posters at support points, receipts and VietQR payments are
//! scanned from the screen or from paper, so the code is black on white with its quiet zone and
//! carries a text alternative for screen readers.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Codes drawn lately, by text and label: drawing one costs a public page most of its time,
/// and the same few (a procedure's page, a dossier's status link) are asked again and again.
static DRAWN: LazyLock<Mutex<Drawn>> = LazyLock::new(Default::default);
/// An SVG (or `None`: too long to draw) by text and label.
type Drawn = HashMap<(String, String), Option<String>>;
/// At most this many codes are kept (under a few MB); when full, all are dropped.
const KEPT: usize = 1_024;

/// An inline `<svg role="img">` QR code of `text`, described by `label`; `None` when the text is
/// too long for a QR code (more than about 2 KB).
pub fn qr_svg(text: &str, label: &str) -> Option<String> {
    let key = (text.to_string(), label.to_string());
    if let Some(svg) = DRAWN.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return svg;
    }
    let svg = draw(text, label);
    if let Ok(mut m) = DRAWN.lock() {
        if m.len() >= KEPT {
            m.clear();
        }
        m.insert(key, svg.clone());
    }
    svg
}

fn draw(text: &str, label: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(176, 176)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .quiet_zone(true)
        .build();
    // Drop the XML declaration (the SVG is inline in HTML) and give it a role and a name.
    let start = image.find("<svg")?;
    let label = escape(label);
    Some(image[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"qr\" "),
        1,
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_accessible_inline_svg() {
        let svg = qr_svg(
            "https://dichvucong.example/procedures/HT-01",
            "Mã QR \"HT-01\"",
        )
        .expect("short text fits");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Mã QR &quot;HT-01&quot;\""));
        assert!(svg.contains("viewBox") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn a_code_drawn_again_is_the_same_and_few_are_kept() {
        let first = qr_svg("https://a.example/status?code=1", "một");
        assert_eq!(first, qr_svg("https://a.example/status?code=1", "một"));
        assert_ne!(first, qr_svg("https://a.example/status?code=2", "một"));
        for i in 0..KEPT + 5 {
            qr_svg(&format!("https://a.example/{i}"), "nhãn");
        }
        assert!(DRAWN.lock().unwrap().len() <= KEPT);
    }

    #[test]
    fn refuses_text_too_long_for_a_code() {
        assert!(qr_svg(&"x".repeat(5000), "quá dài").is_none());
    }
}
