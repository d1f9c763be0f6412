//! BPMN 2.0 XML into a [`Document`] (quick-xml, with line numbers). Lenient: every element is
//! recorded, unsupported ones in `Document::unsupported`; only malformed XML is an error.
//!
//! The file is read in two passes: first into a small tree of elements (local name, namespace,
//! attributes, text, line of the start tag), then the tree is walked. BPMN, DI and DC elements are
//! matched by local name, whatever their prefix (`bpmn:`, `bpmn2:`, `semantic:`, `model:`, or the
//! default namespace); motcua's attributes by their namespace [`MOTCUA_NS`] or the prefix `motcua`.
//! Elements of other namespaces outside `extensionElements` are vendor extensions and are skipped.
//!
//! `Document::unsupported` also names attribute situations, in brackets after the element's local
//! name: `subProcess[triggeredByEvent]` (an event sub-process), `userTask[motcua:rol]` (a motcua
//! attribute unknown or misplaced on that element), `userTask[motcua:days+motcua:share]` (two
//! budgets), `userTask[motcua:days=abc]` (a value that cannot be read), `task[id=]` (no id).
//!
//! The first pass is `tree`; the second is `build` (definitions, processes, pools), `nodes` (flow
//! nodes and sequence flows), `lanes` (lanes and the roles they give) and `di` (the diagram).

mod build;
mod di;
mod lanes;
mod nodes;
mod tree;

use crate::model::Document;
use build::Builder;
use thiserror::Error;
use tree::read_tree;

/// The namespace of BPMN 2.0 semantic elements.
pub const BPMN_MODEL_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";

/// The file is not well-formed XML (or not BPMN at all).
#[derive(Debug, Clone, PartialEq, Error)]
#[error("dòng {line}: {message}")]
pub struct XmlError {
    pub line: u32,
    pub message: String,
}

/// Reads a BPMN file.
pub fn parse_document(xml: &str) -> Result<Document, XmlError> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let tree = read_tree(xml)?;
    let mut builder = Builder {
        tree: &tree,
        doc: Document::default(),
    };
    builder.build();
    Ok(builder.doc)
}

/// An ISO 8601 duration (`P2D`, `PT4H`, `PT30M`, `P1DT4H`, `P1W`, `P0.5D`) in working days: a week
/// is 5 working days, a working day 8 working hours. Months, years, signs and anything else that
/// is not a plain duration give `None`.
pub fn duration_in_working_days(text: &str) -> Option<f64> {
    let text = text.trim();
    let rest = text.strip_prefix(['P', 'p'])?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((date, time)) => {
            if time.is_empty() {
                return None;
            }
            (date, Some(time))
        }
        None => (rest, None),
    };
    let mut total = duration_part(date, &[('W', 5.0), ('D', 1.0)])?;
    if let Some(time) = time {
        total += duration_part(
            time,
            &[('H', 1.0 / 8.0), ('M', 1.0 / 480.0), ('S', 1.0 / 28_800.0)],
        )?;
    }
    total.is_finite().then_some(total)
}

/// `2D`, `1W3D`, `4H30M`: numbers each followed by one of `units` (in this order, each at most
/// once), multiplied by its weight. An empty part is zero.
fn duration_part(part: &str, units: &[(char, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut number = String::new();
    let mut next_unit = 0usize;
    for c in part.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            number.push(if c == ',' { '.' } else { c });
            continue;
        }
        let c = c.to_ascii_uppercase();
        let position = units.iter().position(|(unit, _)| *unit == c)?;
        if position < next_unit || number.is_empty() {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let weight = units.get(position).map(|(_, w)| *w)?;
        total += value * weight;
        number.clear();
        next_unit = position + 1;
    }
    number.is_empty().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_working_days() {
        assert_eq!(duration_in_working_days("P2D"), Some(2.0));
        assert_eq!(duration_in_working_days(" PT4H "), Some(0.5));
        assert_eq!(duration_in_working_days("PT30M"), Some(30.0 / 480.0));
        assert_eq!(duration_in_working_days("P1DT4H"), Some(1.5));
        assert_eq!(duration_in_working_days("P1W"), Some(5.0));
        assert_eq!(duration_in_working_days("P0.5D"), Some(0.5));
        assert_eq!(duration_in_working_days("P1,5D"), Some(1.5));
        assert_eq!(duration_in_working_days("PT8H"), Some(1.0));
        assert_eq!(duration_in_working_days("P0D"), Some(0.0));
        for bad in [
            "", "P", "PT", "P1DT", "P1M", "P1Y", "-P1D", "P-1D", "P1", "PD", "P1D2D", "P1HT", "2D",
            "P1.2.3D", "P1DT1D", "R3/P1D", "P1W1W", "PT1H2H", "P1e400D", "P１D",
        ] {
            assert_eq!(duration_in_working_days(bad), None, "{bad}");
        }
    }

    #[test]
    fn malformed_inputs_are_errors_not_panics() {
        for input in [
            "",
            "   ",
            "hello",
            "<",
            "<definitions",
            "<definitions>",
            "<definitions></process>",
            "<definitions/><definitions/>",
            "<definitions a='1' a='2'/>",
            "<definitions>&nbsp;</definitions>",
            "<definitions>&#xFFFFFFFF;</definitions>",
            "<definitions b=\"&bad;\"/>",
            "<process/>",
            "<definitions/>trailing",
        ] {
            assert!(parse_document(input).is_err(), "{input:?}");
        }
        assert!(parse_document("\u{feff}<definitions/>").is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut xml = String::from("<definitions>");
        for _ in 0..500 {
            xml.push_str("<a>");
        }
        for _ in 0..500 {
            xml.push_str("</a>");
        }
        xml.push_str("</definitions>");
        let err = parse_document(&xml).unwrap_err();
        assert!(err.message.contains("lồng nhau"), "{err}");
    }
}
