//! The first pass: the XML into a small tree of elements, each with its namespace, attributes,
//! text and the line of its start tag, so that the second pass can walk freely and every problem
//! can say where it is. Malformed XML stops here, with a message in Vietnamese.

use super::{BPMN_MODEL_NS, XmlError};
use crate::model::MOTCUA_NS;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// Elements nested deeper than this are refused (the tree is walked recursively).
const MAX_DEPTH: usize = 200;

pub(super) struct Attr {
    pub(super) local: String,
    prefix: Option<String>,
    ns: Option<String>,
    pub(super) value: String,
}

pub(super) struct El {
    pub(super) local: String,
    ns: Option<String>,
    attrs: Vec<Attr>,
    pub(super) text: String,
    pub(super) children: Vec<usize>,
    pub(super) line: u32,
}

pub(super) struct Tree {
    /// In document order; the root is the first.
    pub(super) els: Vec<El>,
}

/// Byte offset to 1-based line.
struct Lines {
    newlines: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        Lines {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    fn line(&self, offset: u64) -> u32 {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let line = self.newlines.partition_point(|&n| n < offset) + 1;
        u32::try_from(line).unwrap_or(u32::MAX)
    }
}

fn owned_ns(resolved: ResolveResult<'_>) -> Option<String> {
    match resolved {
        ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        ResolveResult::Unbound | ResolveResult::Unknown(_) => None,
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn invalid(line: u32, what: impl std::fmt::Display) -> XmlError {
    XmlError {
        line,
        message: format!("XML không hợp lệ: {what}"),
    }
}

fn describe(error: &quick_xml::Error) -> String {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    let what = match error {
        quick_xml::Error::Syntax(e) => match e {
            SyntaxError::UnclosedTag => "thẻ chưa được đóng bằng “>” trước khi hết tệp".to_owned(),
            SyntaxError::UnclosedComment => "chú thích “<!--” chưa được đóng bằng “-->”".to_owned(),
            SyntaxError::UnclosedCData => "khối CDATA chưa được đóng bằng “]]>”".to_owned(),
            SyntaxError::UnclosedPIOrXmlDecl => "chỉ thị “<?” chưa được đóng bằng “?>”".to_owned(),
            SyntaxError::UnclosedDoctype => "khai báo DOCTYPE chưa được đóng".to_owned(),
            SyntaxError::InvalidBangMarkup => "cú pháp “<!” không hợp lệ".to_owned(),
        },
        quick_xml::Error::IllFormed(e) => match e {
            IllFormedError::MismatchedEndTag { expected, found } => {
                format!("thẻ đóng </{found}> không khớp với thẻ mở <{expected}>")
            }
            IllFormedError::UnmatchedEndTag(tag) => {
                format!("thẻ đóng </{tag}> không có thẻ mở tương ứng")
            }
            IllFormedError::MissingEndTag(tag) => format!("thiếu thẻ đóng </{tag}>"),
            IllFormedError::UnclosedReference => {
                "tham chiếu “&…” không kết thúc bằng dấu “;”".to_owned()
            }
            IllFormedError::DoubleHyphenInComment => "chú thích chứa “--”".to_owned(),
            IllFormedError::MissingDeclVersion(_) => "khai báo <?xml?> thiếu version".to_owned(),
            IllFormedError::MissingDoctypeName => "khai báo DOCTYPE thiếu tên".to_owned(),
        },
        quick_xml::Error::InvalidAttr(e) => format!("thuộc tính viết sai cú pháp ({e})"),
        quick_xml::Error::Escape(e) => format!("tham chiếu ký tự hoặc thực thể sai ({e})"),
        quick_xml::Error::Namespace(e) => format!("khai báo không gian tên sai ({e})"),
        quick_xml::Error::Encoding(e) => format!("mã hoá ký tự sai ({e})"),
        quick_xml::Error::Io(e) => format!("lỗi đọc ({e})"),
    };
    format!("XML không hợp lệ: {what}")
}

pub(super) fn read_tree(xml: &str) -> Result<Tree, XmlError> {
    let lines = Lines::new(xml);
    let mut reader = NsReader::from_str(xml);
    let mut els: Vec<El> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut root_closed = false;
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_resolved_event()
            .map(|(ns, event)| (owned_ns(ns), event));
        let (ns, event) = match event {
            Ok(pair) => pair,
            Err(e) => {
                return Err(XmlError {
                    line: lines.line(reader.error_position()),
                    message: describe(&e),
                });
            }
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let line = lines.line(position);
                if root_closed {
                    return Err(invalid(line, "có nhiều hơn một phần tử gốc"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(invalid(
                        line,
                        format!("các phần tử lồng nhau quá {MAX_DEPTH} cấp"),
                    ));
                }
                let local = lossy(start.local_name().as_ref());
                if els.is_empty() && local != "definitions" {
                    return Err(XmlError {
                        line,
                        message: "Không phải tệp BPMN 2.0 (phần tử gốc phải là definitions)".into(),
                    });
                }
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr
                        .map_err(|e| invalid(line, format!("thuộc tính viết sai cú pháp ({e})")))?;
                    let key = attr.key.as_ref();
                    if key == b"xmlns" || key.starts_with(b"xmlns:") {
                        continue;
                    }
                    let (attr_ns, attr_local) = reader.resolve_attribute(attr.key);
                    let attr_local = lossy(attr_local.as_ref());
                    let attr_ns = owned_ns(attr_ns);
                    let prefix = attr.key.prefix().map(|p| lossy(p.as_ref()));
                    let value = attr
                        .decode_and_unescape_value(reader.decoder())
                        .map_err(|e| XmlError {
                            line,
                            message: describe(&e),
                        })?
                        .into_owned();
                    attrs.push(Attr {
                        local: attr_local,
                        prefix,
                        ns: attr_ns,
                        value,
                    });
                }
                let index = els.len();
                els.push(El {
                    local,
                    ns,
                    attrs,
                    text: String::new(),
                    children: Vec::new(),
                    line,
                });
                if let Some(parent) = stack.last().and_then(|&p| els.get_mut(p)) {
                    parent.children.push(index);
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(index);
                } else if stack.is_empty() {
                    root_closed = true;
                }
            }
            Event::End(_) => {
                stack.pop();
                if stack.is_empty() {
                    root_closed = true;
                }
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|e| {
                    invalid(lines.line(position), format!("mã hoá ký tự sai ({e})"))
                })?;
                push_text(&mut els, &stack, &text, lines.line(position))?;
            }
            Event::CData(data) => {
                let text = data.decode().map_err(|e| {
                    invalid(lines.line(position), format!("mã hoá ký tự sai ({e})"))
                })?;
                push_text(&mut els, &stack, &text, lines.line(position))?;
            }
            Event::GeneralRef(reference) => {
                let line = lines.line(position);
                let name = reference
                    .decode()
                    .map_err(|e| invalid(line, format!("mã hoá ký tự sai ({e})")))?;
                let resolved = if reference.is_char_ref() {
                    match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) | Err(_) => {
                            return Err(invalid(line, format!("tham chiếu ký tự “&{name};” sai")));
                        }
                    }
                } else {
                    match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(invalid(
                                line,
                                format!("thực thể “&{name};” không được định nghĩa"),
                            ));
                        }
                    }
                };
                push_text(&mut els, &stack, &resolved, line)?;
            }
            Event::Eof => {
                if let Some(open) = stack.last().and_then(|&i| els.get(i)) {
                    return Err(invalid(
                        lines.line(position),
                        format!(
                            "hết tệp mà phần tử <{}> mở ở dòng {} chưa được đóng",
                            open.local, open.line
                        ),
                    ));
                }
                if els.is_empty() {
                    return Err(XmlError {
                        line: 1,
                        message: "Tệp trống: không có phần tử XML nào (cần một tệp BPMN 2.0)"
                            .into(),
                    });
                }
                break;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    Ok(Tree { els })
}

fn push_text(els: &mut [El], stack: &[usize], text: &str, line: u32) -> Result<(), XmlError> {
    match stack.last().and_then(|&i| els.get_mut(i)) {
        Some(el) => {
            el.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(invalid(line, "có văn bản nằm ngoài phần tử gốc")),
    }
}

impl El {
    /// A BPMN attribute: unprefixed (or, oddly, prefixed with the BPMN namespace).
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| {
                a.local == name && (a.prefix.is_none() || a.ns.as_deref() == Some(BPMN_MODEL_NS))
            })
            .map(|a| a.value.as_str())
    }

    /// A BPMN attribute, trimmed, `None` if absent or empty.
    pub(super) fn attr_trim(&self, name: &str) -> Option<String> {
        self.attr(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    pub(super) fn id(&self) -> Option<String> {
        self.attr_trim("id")
    }

    pub(super) fn name(&self) -> String {
        self.attr("name")
            .map(|n| n.trim().to_owned())
            .unwrap_or_default()
    }

    pub(super) fn bool_attr(&self, name: &str) -> Option<bool> {
        match self.attr(name).map(str::trim) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        }
    }

    pub(super) fn motcua_attrs(&self) -> impl Iterator<Item = &Attr> {
        self.attrs
            .iter()
            .filter(|a| a.ns.as_deref() == Some(MOTCUA_NS) || a.prefix.as_deref() == Some("motcua"))
    }

    /// A motcua attribute, trimmed, `None` if absent or empty.
    pub(super) fn motcua(&self, name: &str) -> Option<String> {
        self.motcua_attrs()
            .find(|a| a.local == name)
            .map(|a| a.value.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// An element of another vocabulary than BPMN/DI/DC (a vendor extension, or motcua's own).
    pub(super) fn is_foreign(&self) -> bool {
        self.ns
            .as_deref()
            .is_some_and(|ns| !ns.starts_with("http://www.omg.org/spec/"))
    }

    pub(super) fn is_event(&self) -> bool {
        self.local.ends_with("Event")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_offsets() {
        let lines = Lines::new("a\nb\n\nc");
        assert_eq!(lines.line(0), 1);
        assert_eq!(lines.line(1), 1);
        assert_eq!(lines.line(2), 2);
        assert_eq!(lines.line(5), 4);
        assert_eq!(lines.line(u64::MAX), 4);
    }
}
