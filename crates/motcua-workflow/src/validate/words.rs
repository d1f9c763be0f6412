//! How problems name what they are about, in Vietnamese: an element by its id, name and line, a
//! node by its kind, the parser's unsupported entries as sentences. In one place so that every
//! message reads the same.

use crate::model::{Node, NodeKind, SequenceFlow};

/// `Task_1 “Thẩm định” (dòng 12)`.
pub(super) fn at(id: &str, name: &str, line: u32) -> String {
    // Names often carry the line breaks of their label: one line here.
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        format!("{id} (dòng {line})")
    } else {
        format!("{id} “{name}” (dòng {line})")
    }
}

pub(super) fn node_at(n: &Node) -> String {
    at(&n.id, &n.name, n.line)
}

pub(super) fn flow_at(f: &SequenceFlow) -> String {
    at(&f.id, &f.name, f.line)
}

/// What a node is, in Vietnamese, capitalised.
fn kind_word(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::StartEvent => "Sự kiện bắt đầu",
        NodeKind::EndEvent { .. } => "Sự kiện kết thúc",
        NodeKind::UserTask(_) => "Bước",
        NodeKind::ServiceTask { .. } => "Tác vụ tự động",
        NodeKind::ExclusiveGateway { .. } => "Cổng loại trừ",
        NodeKind::ParallelGateway => "Cổng song song",
        NodeKind::InclusiveGateway { .. } => "Cổng bao hàm",
        NodeKind::BoundaryTimer { .. } => "Bộ hẹn giờ",
        NodeKind::SubProcess => "Quy trình con",
    }
}

pub(super) fn lower_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn describe(n: &Node) -> String {
    format!("{} {}", kind_word(&n.kind), node_at(n))
}

/// The message for one entry of `Document::unsupported` (see the parser for the `tag[...]` forms).
pub(super) fn unsupported_message(element: &str, id: Option<&str>, line: u32) -> String {
    let of_id = id.map(|i| format!(" (id {i})")).unwrap_or_default();
    if let Some((tag, what)) = element.strip_suffix(']').and_then(|e| e.split_once('[')) {
        if what == "id=" {
            return format!("Phần tử {tag} không có id, dòng {line}");
        }
        if what == "motcua:days+motcua:share" {
            return format!(
                "{tag}{of_id} có cả motcua:days và motcua:share: chỉ được đặt một trong hai, dòng {line}"
            );
        }
        if let Some((attr, value)) = what.split_once('=') {
            let expected = match attr {
                "motcua:days" => "phải là số ngày làm việc, ví dụ 1.5",
                "motcua:share" => {
                    "phải là tỉ lệ của thời hạn luật định trong khoảng (0, 1], ví dụ 0.4"
                }
                _ => "không đọc được",
            };
            return format!(
                "Giá trị {attr}=“{value}” của {tag}{of_id} không hợp lệ: {expected}, dòng {line}"
            );
        }
        if let Some(attr) = what.strip_prefix("motcua:") {
            return format!(
                "Thuộc tính motcua:{attr} không dùng được trên {tag}{of_id}, dòng {line}"
            );
        }
    }
    format!("Phần tử không được hỗ trợ: {element}{of_id}, dòng {line}")
}
