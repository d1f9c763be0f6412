//! The six forms: what each says, in the order and words of the circular's models, laid out
//! with the shared pieces (national header, title, dossier code, signatures, QR).

use jiff::civil::{Date, DateTime};

use crate::layout::{Align, BOTTOM, Face, LEFT, Layout, Op, RIGHT, Run};
use crate::{Dossier, Letterhead, Slip, SlipError};

const BODY: f32 = 9.5;
const SMALL: f32 = 7.5;
/// The left column of the header (agency) ends here; the national motto takes the rest.
const SPLIT: f32 = LEFT + 150.0;
const QR_SIDE: f32 = 72.0;

pub fn lay_out(slip: &Slip) -> Result<Vec<Vec<Op>>, SlipError> {
    let mut l = Layout::new()?;
    match slip {
        Slip::Receipt(s) => {
            start(&mut l, &s.head, "Mẫu số 01", slip.title(), &s.dossier);
            field(&mut l, "Tiếp nhận hồ sơ của: ", &s.dossier.applicant);
            field(
                &mut l,
                "Nội dung yêu cầu giải quyết: ",
                &s.dossier.procedure,
            );
            field(&mut l, "1. Thành phần hồ sơ nộp gồm:", "");
            if s.components.is_empty() {
                item(&mut l, "", "(theo danh mục của thủ tục)");
            }
            for (i, c) in s.components.iter().enumerate() {
                let copies = c.copies.map(|n| format!(" — {n} bản")).unwrap_or_default();
                item(
                    &mut l,
                    &format!("({})", i + 1),
                    &format!("{}{copies}", c.name),
                );
            }
            field(
                &mut l,
                "2. Thời gian giải quyết hồ sơ theo quy định: ",
                &s.legal_time,
            );
            field(&mut l, "3. Thời gian nhận hồ sơ: ", &when(s.received_at));
            let due = s
                .due_at
                .map(when)
                .unwrap_or_else(|| "sẽ thông báo sau".into());
            field(&mut l, "4. Thời gian trả kết quả giải quyết hồ sơ: ", &due);
            field(&mut l, "5. Đăng ký nhận kết quả tại: ", &s.collect_at);
            let signers = [
                ("NGƯỜI NỘP HỒ SƠ", Some(s.dossier.applicant.as_str())),
                ("NGƯỜI TIẾP NHẬN HỒ SƠ", s.official.as_deref()),
            ];
            finish(
                &mut l,
                &signers,
                "(Ký và ghi rõ họ tên)",
                &status(&s.dossier),
            )?;
        }
        Slip::SupplementRequest(s) => {
            start(&mut l, &s.head, "Mẫu số 02", slip.title(), &s.dossier);
            let agency = &s.head.agency;
            let intro = format!("{}, {agency} tiếp nhận hồ sơ của: ", day(s.filed_on));
            field(&mut l, &capitalise(&intro), &s.dossier.applicant);
            field(
                &mut l,
                "Nội dung yêu cầu giải quyết: ",
                &s.dossier.procedure,
            );
            field(
                &mut l,
                "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
                "",
            );
            numbered(&mut l, &s.missing);
            let help = format!(
                "Đề nghị ông/bà bổ sung, hoàn thiện đầy đủ các nội dung trên trong một lần. \
                 Nếu có vướng mắc, ông/bà liên hệ {agency} để được hướng dẫn."
            );
            field(&mut l, "", &help);
            field(&mut l, "", "Xin trân trọng cảm ơn./.");
            let signers = [("NGƯỜI HƯỚNG DẪN", s.official.as_deref())];
            finish(
                &mut l,
                &signers,
                "(Ký và ghi rõ họ tên)",
                &status(&s.dossier),
            )?;
        }
        Slip::Refusal(s) => {
            start(&mut l, &s.head, "Mẫu số 03", slip.title(), &s.dossier);
            let agency = &s.head.agency;
            let intro = format!("{}, {agency} tiếp nhận hồ sơ của: ", day(s.filed_on));
            field(&mut l, &capitalise(&intro), &s.dossier.applicant);
            field(
                &mut l,
                "Nội dung yêu cầu giải quyết: ",
                &s.dossier.procedure,
            );
            let why = format!(
                "Qua xem xét, {agency} thông báo không tiếp nhận, giải quyết hồ sơ này \
                 với lý do cụ thể như sau:"
            );
            field(&mut l, "", &why);
            numbered(&mut l, &s.reasons);
            field(
                &mut l,
                "",
                "Xin thông báo để ông/bà được biết và thực hiện./.",
            );
            let signers = [("NGƯỜI TIẾP NHẬN HỒ SƠ", s.official.as_deref())];
            finish(
                &mut l,
                &signers,
                "(Ký và ghi rõ họ tên)",
                &status(&s.dossier),
            )?;
        }
        Slip::Apology(s) => {
            let form = "Mẫu số 04 (từ 2025: phiếu xin lỗi và đề nghị gia hạn)";
            start(&mut l, &s.head, form, slip.title(), &s.dossier);
            let agency = &s.head.agency;
            field(&mut l, "Kính gửi: ", &s.dossier.applicant);
            let received = format!(
                "{}, {agency} tiếp nhận giải quyết hồ sơ của ông/bà về: {}.",
                capitalise(&day(s.received_on)),
                s.dossier.procedure
            );
            field(&mut l, "", &received);
            field(
                &mut l,
                "Thời gian hẹn trả kết quả giải quyết hồ sơ: ",
                &when(s.previous_due),
            );
            let late = format!(
                "Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của ông/bà."
            );
            field(&mut l, "", &late);
            field(&mut l, "Lý do: ", &s.reason);
            let sorry = format!(
                "Sự chậm trễ này đã gây phiền hà cho ông/bà. {agency} xin lỗi ông/bà \
                 về sự bất tiện này."
            );
            field(&mut l, "", &sorry);
            let new = format!(
                "{agency} sẽ trả kết quả giải quyết hồ sơ cho ông/bà vào {}.",
                when(s.new_due)
            );
            field(&mut l, "", &new);
            field(&mut l, "", "Xin trân trọng cảm ơn./.");
            let signers = [("ĐẠI DIỆN CƠ QUAN", s.official.as_deref())];
            let hint = "(Ký, ghi rõ họ tên và đóng dấu)";
            finish(&mut l, &signers, hint, &status(&s.dossier))?;
        }
        Slip::ControlSheet(s) => {
            let form = "Mẫu số 05 (từ 2025: mẫu số 06)";
            start(&mut l, &s.head, form, slip.title(), &s.dossier);
            field(&mut l, "Cơ quan giải quyết hồ sơ: ", &s.head.agency);
            field(&mut l, "Người nộp hồ sơ: ", &s.dossier.applicant);
            field(&mut l, "Thủ tục: ", &s.dossier.procedure);
            let due = s.due_at.map(when).unwrap_or_else(|| "chưa có".into());
            field(&mut l, "Hạn trả kết quả: ", &due);
            l.y += 6.0;
            crate::forms::table(&mut l, &s.handovers);
            finish(&mut l, &[], "", &status(&s.dossier))?;
        }
        Slip::ResultDocument(s) => {
            start(&mut l, &s.head, "", slip.title(), &s.dossier);
            field(&mut l, "Thủ tục: ", &s.dossier.procedure);
            field(&mut l, "Người nộp hồ sơ: ", &s.dossier.applicant);
            field(&mut l, "Kết quả: ", &s.result);
            for paragraph in s.decision.split("\n\n").filter(|p| !p.trim().is_empty()) {
                field(&mut l, "", paragraph);
            }
            field(&mut l, "Thời gian giải quyết: ", &when(s.decided_at));
            let signers = [("THỦ TRƯỞNG CƠ QUAN", s.signer.as_deref())];
            let qr = Qr {
                url: crate::verify_url(&s.dossier.public_url, &s.dossier.code),
                caption: "Quét mã QR để kiểm tra tính xác thực của kết quả:",
            };
            finish(&mut l, &signers, "(Đã ký số)", &qr)?;
        }
    }
    Ok(l.pages)
}

/// The header (agency left; the nation's name and motto right), place and date, title, code.
fn start(l: &mut Layout, head: &Letterhead, form: &str, title: &str, dossier: &Dossier) {
    if !form.is_empty() {
        let w = l.width(Face::Regular, form, 6.5);
        l.text(RIGHT - w, l.y - 8.0, Face::Regular, 6.5, form);
    }
    let top = l.y;
    l.paragraph(
        &[(Face::Bold, &head.agency.to_uppercase())],
        8.0,
        LEFT,
        SPLIT - 8.0,
        Align::Center,
    );
    rule_under(l, LEFT, SPLIT - 8.0, 40.0);
    let left_bottom = l.y;
    l.y = top;
    let nation = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    let size = l.fit(Face::Bold, nation, 8.5, RIGHT - SPLIT);
    l.paragraph(&[(Face::Bold, nation)], size, SPLIT, RIGHT, Align::Center);
    let motto = "Độc lập - Tự do - Hạnh phúc";
    l.paragraph(&[(Face::Bold, motto)], 9.0, SPLIT, RIGHT, Align::Center);
    let motto_w = l.width(Face::Bold, motto, 9.0);
    rule_under(l, SPLIT, RIGHT, motto_w);
    l.y = l.y.max(left_bottom) + 4.0;
    let date = day(head.issued_on);
    let line = match &head.place {
        Some(place) => format!("{place}, {date}"),
        None => capitalise(&date),
    };
    let size = l.fit(Face::Regular, &line, 8.5, RIGHT - SPLIT).max(7.0);
    l.paragraph(&[(Face::Regular, &line)], size, SPLIT, RIGHT, Align::Center);
    l.y += 10.0;
    l.paragraph(
        &[(Face::Bold, &title.to_uppercase())],
        11.5,
        LEFT,
        RIGHT,
        Align::Center,
    );
    l.y += 2.0;
    l.paragraph(
        &[(Face::Regular, "Mã hồ sơ: "), (Face::Bold, &dossier.code)],
        11.0,
        LEFT,
        RIGHT,
        Align::Center,
    );
    l.y += 8.0;
}

/// A short centred rule under the last line, as under the agency's name and the motto.
fn rule_under(l: &mut Layout, x0: f32, x1: f32, width: f32) {
    let mid = (x0 + x1) / 2.0;
    let y = l.y + 1.5;
    l.line(mid - width / 2.0, y, mid + width / 2.0, y, 0.6);
    l.y += 4.0;
}

/// A bold label followed by its value, wrapped on the body width.
fn field(l: &mut Layout, label: &str, value: &str) {
    let runs: Vec<Run> = [(Face::Bold, label), (Face::Regular, value)]
        .into_iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .collect();
    l.paragraph(&runs, BODY, LEFT, RIGHT, Align::Left);
    l.y += 2.0;
}

/// A list item: its marker in the margin of an indented paragraph, drawn first so that the
/// text reads in order when copied.
fn item(l: &mut Layout, marker: &str, text: &str) {
    let lead = BODY * 1.4;
    l.ensure(lead);
    if !marker.is_empty() {
        l.text(
            LEFT + 6.0,
            l.y + lead - BODY * 0.3,
            Face::Regular,
            BODY,
            marker,
        );
    }
    l.paragraph(
        &[(Face::Regular, text)],
        BODY,
        LEFT + 24.0,
        RIGHT,
        Align::Left,
    );
    l.y += 1.0;
}

/// The official's lines as a numbered list; list marks they typed ("-", "1.") are dropped.
fn numbered(l: &mut Layout, text: &str) {
    let items = crate::forms::items(text);
    for (i, it) in items.iter().enumerate() {
        item(l, &format!("{}.", i + 1), it);
    }
}

/// One item a non-empty line, without the bullet or number the writer put in front.
pub fn items(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let t = line.trim();
            let t = t.trim_start_matches(['-', '•', '*', '+', '–']);
            let digits = t.chars().take_while(char::is_ascii_digit).count();
            let rest = &t[digits..];
            let t = match rest.chars().next() {
                Some('.' | ')') if digits > 0 && digits < 3 => &rest[1..],
                _ => t,
            };
            t.trim().to_string()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

struct Qr {
    url: String,
    caption: &'static str,
}

fn status(d: &Dossier) -> Qr {
    Qr {
        url: crate::status_url(&d.public_url, &d.code),
        caption: "Quét mã QR để tra cứu tiến độ giải quyết hồ sơ:",
    }
}

/// Signatures side by side (one alone sits on the right), then the QR code pinned to the
/// bottom of the last page with its address beside it.
fn finish(
    l: &mut Layout,
    signers: &[(&str, Option<&str>)],
    hint: &str,
    qr: &Qr,
) -> Result<(), SlipError> {
    let sign_h = if signers.is_empty() { 0.0 } else { 84.0 };
    let qr_top = BOTTOM - QR_SIDE;
    if l.y + 8.0 + sign_h > qr_top - 6.0 {
        l.new_page();
    }
    if !signers.is_empty() {
        l.y += 8.0;
        let top = l.y;
        let half = (RIGHT - LEFT) / 2.0;
        let offset = if signers.len() == 1 { 1 } else { 0 };
        for (i, (title, name)) in signers.iter().enumerate() {
            let x0 = LEFT + half * (i + offset) as f32;
            l.y = top;
            l.paragraph(&[(Face::Bold, title)], 9.0, x0, x0 + half, Align::Center);
            l.paragraph(
                &[(Face::Regular, hint)],
                SMALL,
                x0,
                x0 + half,
                Align::Center,
            );
            l.y += 34.0;
            if let Some(name) = name {
                l.paragraph(&[(Face::Bold, name)], 9.5, x0, x0 + half, Align::Center);
            }
        }
    }
    let boxes = crate::qr::boxes(&qr.url, LEFT, qr_top, QR_SIDE)?;
    l.boxes(boxes);
    l.y = qr_top + 14.0;
    let x0 = LEFT + QR_SIDE + 12.0;
    l.paragraph(
        &[(Face::Regular, qr.caption)],
        SMALL,
        x0,
        RIGHT,
        Align::Left,
    );
    let size = l.fit(Face::Regular, &qr.url, SMALL, RIGHT - x0).max(6.0);
    l.paragraph(&[(Face::Regular, &qr.url)], size, x0, RIGHT, Align::Left);
    Ok(())
}

/// Column titles and widths (points) of the control sheet.
const COLUMNS: [(&str, f32); 6] = [
    ("Bước xử lý", 72.0),
    ("Bên giao", 62.0),
    ("Bên nhận", 62.0),
    ("Thời gian giao", 55.0),
    ("Hạn xử lý", 55.0),
    ("Kết quả", 45.5),
];

/// The handovers as a ruled table; a row never splits, the header repeats on a new page.
fn table(l: &mut Layout, rows: &[crate::Handover]) {
    let header: Vec<String> = COLUMNS.iter().map(|(t, _)| t.to_string()).collect();
    let header_h = row(l, &header, Face::Bold, None);
    for h in rows {
        let result = match h.due {
            Some(due) if h.at <= due => "Đúng hạn",
            Some(_) => "Quá hạn",
            None => "—",
        };
        let cells = vec![
            h.step.clone(),
            h.from.clone(),
            h.to.clone(),
            short(h.at),
            h.due.map(short).unwrap_or_else(|| "—".into()),
            result.to_string(),
        ];
        let _ = row(l, &cells, Face::Regular, Some((&header, header_h)));
    }
    if rows.is_empty() {
        l.paragraph(
            &[(Face::Regular, "Chưa có lần giao, nhận nào.")],
            SMALL,
            LEFT,
            RIGHT,
            Align::Center,
        );
    }
}

/// Draws one table row at the cursor and returns its height.
fn row(l: &mut Layout, cells: &[String], face: Face, header: Option<(&[String], f32)>) -> f32 {
    let lead = SMALL * 1.35;
    let wrapped: Vec<_> = cells
        .iter()
        .zip(COLUMNS)
        .map(|(text, (_, w))| l.wrap(&[(face, text)], SMALL, w - 6.0))
        .collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let height = lines as f32 * lead + 6.0;
    if l.y + height > BOTTOM - QR_SIDE - 10.0 {
        l.new_page();
        if let Some((titles, _)) = header {
            row(l, titles, Face::Bold, None);
        }
    }
    let top = l.y;
    l.line(LEFT, top, RIGHT, top, 0.5);
    let mut x = LEFT;
    for (cell, (_, w)) in wrapped.iter().zip(COLUMNS) {
        l.line(x, top, x, top + height, 0.5);
        for (i, line) in cell.iter().enumerate() {
            let mut cx = x + 3.0;
            let y = top + 3.0 + (i + 1) as f32 * lead - SMALL * 0.3;
            for (f, t) in line {
                l.text(cx, y, *f, SMALL, t);
                cx += l.width(*f, t, SMALL);
            }
        }
        x += w;
    }
    l.line(RIGHT, top, RIGHT, top + height, 0.5);
    l.line(LEFT, top + height, RIGHT, top + height, 0.5);
    l.y = top + height;
    height
}

/// "10 giờ 05 phút, ngày 12/03/2026", as the forms write instants.
pub fn when(t: DateTime) -> String {
    format!(
        "{:02} giờ {:02} phút, ngày {:02}/{:02}/{}",
        t.hour(),
        t.minute(),
        t.day(),
        t.month(),
        t.year()
    )
}

/// "10:05 12/03/2026", for table cells.
fn short(t: DateTime) -> String {
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        t.hour(),
        t.minute(),
        t.day(),
        t.month(),
        t.year()
    )
}

/// "ngày 12 tháng 03 năm 2026".
pub fn day(d: Date) -> String {
    format!(
        "ngày {:02} tháng {:02} năm {}",
        d.day(),
        d.month(),
        d.year()
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
