use jiff::civil::{date, datetime};

use super::*;
use crate::layout::{BOTTOM, Layout, Op, PAGE_H, PAGE_W};

const CODE: &str = "000.19.27.H56-260312-0007";

fn head() -> Letterhead {
    Letterhead {
        agency: "Ủy ban nhân dân Phường Phan Đình Phùng".into(),
        place: Some("Phan Đình Phùng".into()),
        issued_on: date(2026, 3, 12),
    }
}

fn dossier() -> Dossier {
    Dossier {
        code: CODE.into(),
        procedure: "Đăng ký khai sinh".into(),
        applicant: "Nguyễn Thị Lan".into(),
        public_url: "https://dichvucong.thainguyen.gov.vn".into(),
    }
}

fn receipt() -> Slip {
    Slip::Receipt(Receipt {
        head: head(),
        dossier: dossier(),
        components: vec![
            ReceivedComponent {
                name: "Tờ khai đăng ký khai sinh theo mẫu".into(),
                copies: Some(1),
            },
            ReceivedComponent {
                name: "Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp".into(),
                copies: None,
            },
        ],
        legal_time: "01 ngày làm việc".into(),
        received_at: datetime(2026, 3, 12, 9, 5, 0, 0),
        due_at: Some(datetime(2026, 3, 13, 17, 0, 0, 0)),
        collect_at: "Bộ phận Một cửa, Ủy ban nhân dân Phường Phan Đình Phùng".into(),
        official: Some("Trần Thu Hà".into()),
    })
}

fn all() -> Vec<Slip> {
    vec![
        receipt(),
        Slip::SupplementRequest(SupplementRequest {
            head: head(),
            dossier: dossier(),
            filed_on: date(2026, 3, 11),
            missing: "- Bản sao giấy chứng nhận kết hôn của cha mẹ\n\n2. Tờ khai còn thiếu chữ ký"
                .into(),
            official: Some("Trần Thu Hà".into()),
        }),
        Slip::Refusal(Refusal {
            head: head(),
            dossier: dossier(),
            filed_on: date(2026, 3, 11),
            reasons: "Hồ sơ không thuộc thẩm quyền giải quyết của phường".into(),
            official: None,
        }),
        Slip::Apology(Apology {
            head: head(),
            dossier: dossier(),
            received_on: date(2026, 3, 12),
            reason: "Chờ ý kiến của Công an phường về nơi cư trú".into(),
            previous_due: datetime(2026, 3, 13, 17, 0, 0, 0),
            new_due: datetime(2026, 3, 18, 17, 0, 0, 0),
            official: Some("Lê Văn Đức".into()),
        }),
        Slip::ControlSheet(ControlSheet {
            head: head(),
            dossier: dossier(),
            due_at: Some(datetime(2026, 3, 13, 17, 0, 0, 0)),
            handovers: vec![
                Handover {
                    step: "Tiếp nhận".into(),
                    from: "Công chức tiếp nhận (Trần Thu Hà)".into(),
                    to: "Chuyên viên xử lý".into(),
                    at: datetime(2026, 3, 12, 9, 5, 0, 0),
                    due: Some(datetime(2026, 3, 13, 17, 0, 0, 0)),
                },
                Handover {
                    step: "Thẩm định".into(),
                    from: "Chuyên viên xử lý".into(),
                    to: "Lãnh đạo".into(),
                    at: datetime(2026, 3, 14, 8, 0, 0, 0),
                    due: Some(datetime(2026, 3, 13, 17, 0, 0, 0)),
                },
            ],
        }),
        Slip::ResultDocument(ResultDocument {
            head: head(),
            dossier: dossier(),
            result: "Giấy khai sinh (bản chính)".into(),
            decision: "Đăng ký khai sinh cho trẻ Nguyễn Minh Khôi.\n\nVào sổ đăng ký khai sinh."
                .into(),
            decided_at: datetime(2026, 3, 13, 10, 30, 0, 0),
            signer: Some("Phạm Quang Vinh".into()),
        }),
    ]
}

fn text_of(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_slip_is_a_pdf_on_a5_with_its_title_code_and_names_extractable() {
    for slip in all() {
        let pdf = slip.to_pdf().expect("renders");
        assert!(pdf.starts_with(b"%PDF-"), "{}", slip.title());
        let tail = String::from_utf8_lossy(&pdf[pdf.len() - 32..]);
        assert!(tail.trim_end().ends_with("%%EOF"), "{tail}");
        let doc = lopdf::Document::load_mem(&pdf).expect("parses");
        for (_, page) in doc.get_pages() {
            let dict = doc.get_dictionary(page).expect("page");
            let media: Vec<f32> = dict
                .get(b"MediaBox")
                .and_then(|m| m.as_array())
                .expect("media box")
                .iter()
                .map(|v| v.as_float().expect("number"))
                .collect();
            assert_eq!(media.len(), 4);
            assert!((media[2] - 419.53).abs() < 0.01 && (media[3] - 595.28).abs() < 0.01);
        }
        let text = text_of(&pdf);
        let title = slip.title().to_uppercase();
        assert!(text.contains(&title), "{title} not in {text}");
        assert!(text.contains(CODE), "{text}");
        assert!(
            text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            "{text}"
        );
        assert!(text.contains("Độc lập - Tự do - Hạnh phúc"), "{text}");
        assert!(text.contains("Nguyễn Thị Lan"), "{text}");
    }
}

#[test]
fn each_slip_says_what_its_form_asks_for() {
    let expect: [&[&str]; 6] = [
        &[
            "Giấy chứng sinh do cơ sở y tế",
            "— 1 bản",
            "13/03/2026",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Trần Thu Hà",
        ],
        &[
            "1. Bản sao giấy chứng nhận kết hôn",
            "2. Tờ khai còn thiếu chữ ký",
            "NGƯỜI HƯỚNG DẪN",
        ],
        &["1. Hồ sơ không thuộc thẩm quyền", "không tiếp nhận"],
        &[
            "Chờ ý kiến của Công an phường",
            "13/03/2026",
            "18/03/2026",
            "xin lỗi",
        ],
        &["Thẩm định", "Lãnh đạo", "Đúng hạn", "Quá hạn"],
        &[
            "Giấy khai sinh (bản chính)",
            "Nguyễn Minh Khôi",
            "Phạm Quang Vinh",
        ],
    ];
    for (slip, words) in all().iter().zip(expect) {
        let text = text_of(&slip.to_pdf().expect("renders"));
        for w in words {
            assert!(text.contains(w), "{w:?} not in {}: {text}", slip.title());
        }
    }
    let status = text_of(&receipt().to_pdf().expect("renders"));
    assert!(
        status
            .contains("https://dichvucong.thainguyen.gov.vn/status?code=000.19.27.H56-260312-0007")
    );
    let result = all().pop().expect("result");
    let verify = text_of(&result.to_pdf().expect("renders"));
    assert!(
        verify.contains("/verify/000.19.27.H56-260312-0007"),
        "{verify}"
    );
}

#[test]
fn the_fonts_are_embedded_as_subsets() {
    let pdf = receipt().to_pdf().expect("renders");
    let doc = lopdf::Document::load_mem(&pdf).expect("parses");
    let descriptors: Vec<_> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor"))
        .collect();
    assert_eq!(descriptors.len(), 2, "regular and bold");
    for d in descriptors {
        assert!(
            d.has(b"FontFile2") || d.has(b"FontFile3"),
            "font file embedded"
        );
        let name = d.get(b"FontName").and_then(|n| n.as_name()).expect("name");
        let name = String::from_utf8_lossy(name);
        assert_eq!(name.as_bytes()[6], b'+', "subset tag in {name}");
        assert!(name.contains("DejaVuSerif"), "{name}");
    }
    // A subset is far smaller than the two fonts (~740 kB).
    assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
}

/// The box a line of text covers, from its ascenders to its descenders.
fn text_boxes(ops: &[Op]) -> Vec<(f32, f32, f32, f32, &str)> {
    ops.iter()
        .filter_map(|op| match op {
            Op::Text {
                x,
                y,
                size,
                text,
                width,
                ..
            } => Some((
                *x,
                y - size * 0.93,
                x + width,
                y + size * 0.24,
                text.as_str(),
            )),
            _ => None,
        })
        .collect()
}

fn assert_no_overlap(pages: &[Vec<Op>]) {
    for ops in pages {
        let boxes = text_boxes(ops);
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.0 >= 0.0 && a.2 <= PAGE_W && a.1 >= 0.0 && a.3 <= PAGE_H,
                "{a:?} off page"
            );
            for b in &boxes[i + 1..] {
                let apart = a.2 <= b.0 + 0.01
                    || b.2 <= a.0 + 0.01
                    || a.3 <= b.1 + 0.01
                    || b.3 <= a.1 + 0.01;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
    }
}

#[test]
fn no_text_overlaps_and_all_stays_on_the_page() {
    for slip in all() {
        assert_no_overlap(&forms::lay_out(&slip).expect("lays out"));
    }
}

#[test]
fn a_long_list_flows_onto_more_pages_and_keeps_the_qr_clear() {
    let reasons: Vec<String> = (1..=40)
        .map(|i| format!("Lý do thứ {i}: giấy tờ chưa đầy đủ, cần bổ sung bản sao có chứng thực"))
        .collect();
    let slip = Slip::Refusal(Refusal {
        head: head(),
        dossier: dossier(),
        filed_on: date(2026, 3, 11),
        reasons: reasons.join("\n"),
        official: None,
    });
    let pages = forms::lay_out(&slip).expect("lays out");
    assert!(pages.len() >= 2, "{} pages", pages.len());
    assert_no_overlap(&pages);
    let last = pages.last().expect("a page");
    let qr_top = last
        .iter()
        .find_map(|op| match op {
            Op::Boxes(b) => b.iter().map(|r| r.1).reduce(f32::min),
            _ => None,
        })
        .expect("QR on the last page");
    assert!(qr_top >= BOTTOM - 80.0);
    for (x, top, _, bottom, text) in text_boxes(last) {
        let beside_qr = x >= crate::layout::LEFT + 72.0;
        assert!(
            beside_qr || bottom <= qr_top || top >= BOTTOM,
            "{text} runs into the QR"
        );
    }
    let text = text_of(&slip.to_pdf().expect("renders"));
    assert!(text.contains("40. Lý do thứ 40"), "{text}");
}

#[test]
fn text_is_nfc_and_letters_without_a_glyph_become_question_marks() {
    let l = Layout::new().expect("fonts");
    // "Nguyễn" written with combining marks becomes the precomposed letters.
    assert_eq!(
        l.clean("Nguye\u{302}\u{303}n  Thi\u{323}\n Lan"),
        "Nguyễn Thị Lan"
    );
    assert_eq!(l.clean("Hồ sơ 😀"), "Hồ sơ ?");
}

#[test]
fn wrapping_keeps_lines_within_the_width_and_cuts_overlong_words() {
    let l = Layout::new().expect("fonts");
    let text = "Giấy tờ chứng minh nơi cư trú ".repeat(6) + &"X".repeat(200);
    for line in l.wrap(&[(layout::Face::Regular, &text)], 9.5, 200.0) {
        let w: f32 = line
            .iter()
            .map(|(f, t)| l.width(*f, t.trim_end(), 9.5))
            .sum();
        assert!(w <= 200.0 + 0.01, "{w}");
    }
}

#[test]
fn list_marks_typed_by_the_official_are_dropped() {
    assert_eq!(
        forms::items("1. Tờ khai\n  - Giấy chứng sinh\n\n• Ảnh 4x6\n2026 là năm"),
        ["Tờ khai", "Giấy chứng sinh", "Ảnh 4x6", "2026 là năm"]
    );
}

#[test]
fn codes_are_escaped_in_addresses() {
    assert_eq!(status_url("", "A B&C"), "/status?code=A%20B%26C");
    assert_eq!(verify_url("http://x", "000.1-2"), "http://x/verify/000.1-2");
}
