//! The gateway's pages: plain HTML, no JavaScript, readable by a screen reader and on a phone.

use super::records::Session;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#0b0c0c;background:#fff;\
line-height:1.5}header{background:#0b3d91;color:#fff;padding:.75rem 1rem}main{max-width:36rem;\
margin:0 auto;padding:1rem}dt{font-weight:bold}dd{margin:0 0 .75rem 0}button,a.button{font-size:\
1.125rem;padding:.6rem 1.2rem;margin:.5rem .5rem 0 0;border:2px solid #0b0c0c;border-radius:0;\
cursor:pointer;display:inline-block;color:#0b0c0c;text-decoration:none}button.primary{background:\
#00703c;color:#fff;border-color:#00703c}button:focus,a:focus{outline:3px solid #fd0;\
outline-offset:0}.amount{font-size:1.5rem;font-weight:bold}";

/// The confirmation page of a pending session.
pub(crate) fn pay_page(session: &Session, merchant_name: &str) -> String {
    let order = &session.order;
    let body = format!(
        "<h1>Xác nhận thanh toán</h1>\
         <dl>\
         <dt>Đơn vị thụ hưởng</dt><dd>{merchant} (mã {merchant_id})</dd>\
         <dt>Số tiền</dt><dd class=\"amount\">{amount}</dd>\
         <dt>Mã hồ sơ</dt><dd>{reference}</dd>\
         <dt>Nội dung</dt><dd>{description}</dd>\
         </dl>\
         <form method=\"post\">\
         <button type=\"submit\" name=\"action\" value=\"pay\" class=\"primary\">Thanh toán</button>\
         <button type=\"submit\" name=\"action\" value=\"cancel\">Hủy</button>\
         </form>",
        merchant = escape(merchant_name),
        merchant_id = escape(&session.merchant_id),
        amount = format_vnd(order.amount_vnd),
        reference = escape(&order.reference),
        description = escape(&order.description),
    );
    document("Xác nhận thanh toán", &body)
}

/// A page with a heading, a sentence and an optional link back.
pub(crate) fn message_page(title: &str, text: &str, back: Option<&str>) -> String {
    let link = back
        .map(|url| {
            format!(
                "<p><a class=\"button\" href=\"{}\">Quay lại trang dịch vụ công</a></p>",
                escape(url)
            )
        })
        .unwrap_or_default();
    let body = format!("<h1>{}</h1><p>{}</p>{link}", escape(title), escape(text));
    document(title, &body)
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – Cổng thanh toán (giả lập)</title><style>{STYLE}</style></head>\
         <body><header><p>Cổng thanh toán – máy giả lập của motcua</p></header>\
         <main>{body}</main></body></html>",
        title = escape(title),
    )
}

/// `1500000` → `1.500.000 đồng`.
pub(crate) fn format_vnd(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out + " đồng"
}

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vnd() {
        assert_eq!(format_vnd(0), "0 đồng");
        assert_eq!(format_vnd(500), "500 đồng");
        assert_eq!(format_vnd(50_000), "50.000 đồng");
        assert_eq!(format_vnd(1_500_000), "1.500.000 đồng");
    }

    #[test]
    fn escapes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
