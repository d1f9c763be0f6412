//! Unit tests of the condition language: parsing, evaluation, errors, limits, canonical text.

mod props;

use super::*;
use serde_json::json;

fn data() -> Value {
    json!({
        "fee_vnd": 150000,
        "fee_text": "150000",
        "area": 60.5,
        "channel": "online",
        "approved": true,
        "rejected": false,
        "note": "",
        "zero": 0,
        "empty_list": [],
        "tags": ["urgent", "land", 3],
        "applicant": { "name": "Nguyễn Văn A", "address": { "province": "Hà Nội" }, "age": "42" },
        "phí_vnđ": 5,
        "odd key": { "x y": 7 },
        "nothing": null
    })
}

fn holds(text: &str) -> bool {
    match Expr::parse(text) {
        Ok(e) => e.holds(&data()),
        Err(err) => panic!("{text}: {err}"),
    }
}

fn value(text: &str) -> Value {
    match Expr::parse(text) {
        Ok(e) => match e.eval(&data()) {
            Ok(v) => v,
            Err(err) => panic!("{text}: {err}"),
        },
        Err(err) => panic!("{text}: {err}"),
    }
}

fn error(text: &str) -> ExprError {
    match Expr::parse(text) {
        Ok(e) => panic!("{text} parsed as {e:?}"),
        Err(err) => err,
    }
}

fn canon(text: &str) -> String {
    match Expr::parse(text) {
        Ok(e) => e.to_string(),
        Err(err) => panic!("{text}: {err}"),
    }
}

#[test]
fn literals() {
    assert_eq!(value("12"), json!(12));
    assert_eq!(value("1.5"), json!(1.5));
    assert_eq!(value(".5"), json!(0.5));
    assert_eq!(value("1e3"), json!(1000));
    assert_eq!(value("'a\\'b'"), json!("a'b"));
    assert_eq!(value(r#""a\"b\\c\n""#), json!("a\"b\\c\n"));
    for t in ["true", "True"] {
        assert_eq!(value(t), json!(true));
    }
    for f in ["false", "False"] {
        assert_eq!(value(f), json!(false));
    }
    for n in ["null", "None"] {
        assert_eq!(value(n), Value::Null);
    }
    assert_eq!(value("[1, 'a', [], ]"), json!([1, "a", []]));
}

#[test]
fn paths() {
    assert_eq!(value("fee_vnd"), json!(150000));
    assert_eq!(value("applicant.address.province"), json!("Hà Nội"));
    assert_eq!(value("applicant['name']"), json!("Nguyễn Văn A"));
    assert_eq!(value(r#"odd["odd key"]"#), Value::Null);
    assert_eq!(value(r#"x["odd key"]"#), Value::Null);
    assert_eq!(value("tags[1]"), json!("land"));
    assert_eq!(value("tags[9]"), Value::Null);
    assert_eq!(value("phí_vnđ"), json!(5));
    assert_eq!(value("missing.deeper.still"), Value::Null);
    assert_eq!(value("fee_vnd.deeper"), Value::Null);
    assert!(holds("missing == null"));
    assert!(holds("missing is None"));
    assert!(holds("nothing == None"));
    assert!(holds("fee_vnd is not None"));
}

#[test]
fn equality() {
    assert!(holds("channel == 'online'"));
    assert!(holds("channel != \"offline\""));
    assert!(holds("fee_vnd == 150000"));
    assert!(holds("fee_vnd == 150000.0"));
    assert!(holds("approved == true"));
    assert!(holds("approved == True"));
    // A string that reads as a number equals that number.
    assert!(holds("fee_text == 150000"));
    assert!(holds("150000 == fee_text"));
    assert!(holds("applicant.age == 42"));
    // Mismatched types: never equal.
    assert!(!holds("approved == 1"));
    assert!(holds("approved != 1"));
    assert!(!holds("channel == 1"));
    assert!(!holds("missing == 0"));
    assert!(!holds("missing == ''"));
    assert!(holds("tags == ['urgent', 'land', 3]"));
    assert!(!holds("tags == ['urgent', 'land']"));
    assert!(holds("empty_list == []"));
    assert!(holds("applicant.address == applicant.address"));
}

#[test]
fn ordering() {
    assert!(holds("fee_vnd > 100000"));
    assert!(holds("fee_vnd >= 150000"));
    assert!(!holds("fee_vnd < 150000"));
    assert!(holds("fee_vnd <= 150000"));
    assert!(holds("area > 60"));
    assert!(holds("fee_text > 99999"));
    assert!(holds("applicant.age >= 18"));
    assert!(holds("'abc' < 'abd'"));
    assert!(holds("'B' < 'a'"));
    // Strings with strings compare as strings, even when they read as numbers.
    assert!(holds("'10' < '9'"));
    assert!(holds("rejected < approved"));
    // Mismatched types: never ordered.
    for op in ["<", "<=", ">", ">="] {
        assert!(!holds(&format!("missing {op} 1")), "{op}");
        assert!(!holds(&format!("channel {op} 1")), "{op}");
        assert!(!holds(&format!("approved {op} 0")), "{op}");
        assert!(!holds(&format!("tags {op} tags")), "{op}");
    }
}

#[test]
fn membership() {
    assert!(holds("channel in ['online', 'post']"));
    assert!(!holds("channel in ['counter']"));
    assert!(holds("channel not in ['counter']"));
    assert!(holds("'urgent' in tags"));
    assert!(holds("3 in tags"));
    assert!(holds("'3' in tags"));
    assert!(holds("'line' in channel"));
    assert!(!holds("'x' in channel"));
    assert!(holds("'name' in applicant"));
    assert!(!holds("'x' in missing"));
    assert!(holds("'x' not in missing"));
    assert!(!holds("1 in channel"));
    assert!(holds("fee_vnd in [100, 150000]"));
    assert!(holds("fee_text in [100, 150000]"));
}

#[test]
fn logic_and_truthiness() {
    assert!(holds("approved"));
    assert!(!holds("rejected"));
    assert!(!holds("note"));
    assert!(!holds("zero"));
    assert!(!holds("empty_list"));
    assert!(!holds("missing"));
    assert!(holds("tags"));
    assert!(holds("applicant"));
    assert!(holds("approved and fee_vnd > 0"));
    assert!(holds("approved && fee_vnd > 0"));
    assert!(!holds("approved and rejected"));
    assert!(holds("rejected or approved"));
    assert!(holds("rejected || approved"));
    assert!(!holds("rejected or note or zero"));
    assert!(holds("not rejected"));
    assert!(holds("!rejected"));
    assert!(holds("not not approved"));
    // Python's values of and/or.
    assert_eq!(value("note or 'none given'"), json!("none given"));
    assert_eq!(value("channel and fee_vnd"), json!(150000));
    assert_eq!(value("zero and 1 / 0"), json!(0));
    assert_eq!(value("1 or 1 / 0"), json!(1));
}

#[test]
fn arithmetic() {
    assert!(holds("area * 2 > 100"));
    assert_eq!(value("1 + 2 * 3"), json!(7));
    assert_eq!(value("(1 + 2) * 3"), json!(9));
    assert_eq!(value("10 - 4 - 3"), json!(3));
    assert_eq!(value("8 / 4 / 2"), json!(1));
    assert_eq!(value("7 / 2"), json!(3.5));
    assert_eq!(value("-fee_vnd"), json!(-150000));
    assert_eq!(value("--2"), json!(2));
    assert_eq!(value("2 * -3"), json!(-6));
    assert_eq!(value("fee_text + 1"), json!(150001));
    assert_eq!(value("'a' + 'b'"), json!("ab"));
    assert_eq!(
        value("len(tags) + len('Hà') + len(applicant) + len([])"),
        json!(8)
    );
    assert!(holds("len(tags) > 2"));
}

#[test]
fn evaluation_errors_do_not_hold() {
    for text in [
        "1 / 0 == 1",
        "fee_vnd / zero > 0",
        "not (1 / 0)",
        "channel * 2 > 0",
        "-channel",
        "missing + 1 > 0",
        "len(fee_vnd) > 0",
        // A finite number times itself, again and again, is no longer finite.
        "fee_vnd * 1e300 * 1e300 > 0",
    ] {
        let e = match Expr::parse(text) {
            Ok(e) => e,
            Err(err) => panic!("{text}: {err}"),
        };
        assert!(!e.holds(&data()), "{text}");
        assert!(e.eval(&data()).is_err(), "{text}");
    }
    let e = Expr::parse("fee_vnd / zero").ok();
    let message = e.and_then(|e| e.eval(&data()).err()).map(|e| e.message);
    assert_eq!(
        message.as_deref(),
        Some("chia cho 0 trong 'fee_vnd / zero'")
    );
}

#[test]
fn precedence_is_pythons() {
    // not binds looser than ==, and tighter than and, which binds tighter than or.
    assert_eq!(canon("not a == 1 or b and c"), "not a == 1 or b and c");
    let parsed = Expr::parse("not a == 1 or b and c").ok();
    let a = || Box::new(Expr::Path(vec![Segment::Key("a".into())]));
    let path = |s: &str| Expr::Path(vec![Segment::Key(s.into())]);
    assert_eq!(
        parsed,
        Some(Expr::Or(vec![
            Expr::Not(Box::new(Expr::Compare(
                CmpOp::Eq,
                a(),
                Box::new(Expr::Number(1.0))
            ))),
            Expr::And(vec![path("b"), path("c")]),
        ]))
    );
    assert!(Expr::parse("not a == 1 or b and c").is_ok_and(|e| e.holds(&json!({"a": 2}))));
    assert!(
        Expr::parse("not a == 1 or b and c")
            .is_ok_and(|e| e.holds(&json!({"a": 1, "b": 1, "c": 1})))
    );
    assert!(!Expr::parse("not a == 1 or b and c").is_ok_and(|e| e.holds(&json!({"a": 1, "b": 1}))));
    // `!` binds like a unary operator.
    assert_eq!(canon("!a == b"), "(not a) == b");
    assert_eq!(canon("a == !b"), "a == (not b)");
    assert_eq!(canon("a && !b || c"), "a and not b or c");
    assert_eq!(canon("(a or b) and c"), "(a or b) and c");
    assert_eq!(canon("a or (b or c)"), "a or (b or c)");
    assert_eq!(canon("((a))"), "a");
    assert_eq!(canon("1 - (2 - 3)"), "1 - (2 - 3)");
    assert_eq!(canon("(1 - 2) - 3"), "1 - 2 - 3");
    assert_eq!(canon("-(1 + 2) * 3"), "-(1 + 2) * 3");
    assert_eq!(canon("(a == 1) == (b == 2)"), "(a == 1) == (b == 2)");
    assert_eq!(canon("x is not null"), "x != None");
    assert_eq!(canon("a.b['c d'][0].e['if']"), "a.b[\"c d\"][0].e[\"if\"]");
    assert_eq!(canon("${ true&&null }"), "True and None");
    assert_eq!(canon("'it\\'s'"), "\"it's\"");
}

#[test]
fn camunda_wrapper() {
    assert!(holds("${fee_vnd > 100000}"));
    assert!(holds("  ${ channel == 'online' }  "));
    assert!(holds("#{approved}"));
    // Positions count from the start of the original text.
    let err = error("${ a = 1 }");
    assert_eq!(err.position, 5);
    let err = error("  ${ a == 1 ");
    assert_eq!(err.position, 11);
    assert!(err.message.contains("'}'"), "{}", err.message);
    assert_eq!(error("${}").message, "biểu thức trống");
    assert_eq!(error("${ }").position, 3);
}

#[test]
fn errors_say_where() {
    let cases: &[(&str, usize, &str)] = &[
        ("a = 1", 2, "toán tử không hợp lệ '=' (dùng '==')"),
        (
            "a & b",
            2,
            "toán tử không hợp lệ '&' (dùng '&&' hoặc 'and')",
        ),
        ("a | b", 2, "toán tử không hợp lệ '|' (dùng '||' hoặc 'or')"),
        (
            "(a == 1",
            7,
            "thiếu dấu ngoặc đóng ')' cho dấu '(' ở ký tự 0",
        ),
        (
            "[1, 2",
            5,
            "thiếu dấu ngoặc vuông đóng ']' cho dấu '[' ở ký tự 0",
        ),
        ("a == 1)", 6, "dấu ngoặc đóng ')' thừa"),
        ("a == 'xyz", 5, "chuỗi chưa đóng"),
        ("\"abc\\", 0, "chuỗi chưa đóng"),
        ("'a\\qb'", 2, "ký tự thoát không hợp lệ"),
        ("", 0, "biểu thức trống"),
        ("   ", 3, "biểu thức trống"),
        ("a ==", 4, "thiếu một giá trị ở cuối biểu thức"),
        ("a and", 5, "thiếu một giá trị"),
        ("a == == b", 5, "cần một giá trị"),
        ("1 < a < 3", 6, "không được nối tiếp hai phép so sánh"),
        ("a not b", 2, "sau 'not' ở đây phải là 'in'"),
        ("Service Level == 'Premium'", 8, "không hiểu 'Level' ở đây"),
        ("upper(a)", 0, "không hỗ trợ gọi hàm 'upper'"),
        ("1.2.3", 0, "số không hợp lệ '1.2.3'"),
        ("1_000", 0, "số không hợp lệ '1_000'"),
        ("a.1", 1, "không hiểu số 0.1"),
        ("a.in", 2, "cần tên trường sau dấu '.'"),
        ("a[b]", 2, "trong [...] sau tên trường"),
        ("a[-1]", 2, "trong [...] sau tên trường"),
        ("Hà Nội == 1", 3, "không hiểu 'Nội'"),
        ("a == b ?", 7, "ký tự không hợp lệ '?'"),
        ("đ == 'x' $", 9, "ký tự không hợp lệ '$'"),
        ("a === b", 4, "toán tử không hợp lệ '='"),
        ("= approved", 0, "toán tử không hợp lệ '='"),
    ];
    for (text, position, message) in cases {
        let err = error(text);
        assert_eq!(err.position, *position, "{text}: {err}");
        assert!(err.message.starts_with(message), "{text}: {err}");
    }
    assert_eq!(
        error("a = 1").to_string(),
        "biểu thức điều kiện, ký tự 2: toán tử không hợp lệ '=' (dùng '==')"
    );
    let huge = "9".repeat(400);
    assert!(error(&huge).message.starts_with("số quá lớn"));
}

#[test]
fn limits() {
    let nested = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
    assert!(Expr::parse(&nested(MAX_DEPTH)).is_ok());
    let err = error(&nested(MAX_DEPTH + 1));
    assert_eq!(err.position, MAX_DEPTH);
    assert!(err.message.contains("lồng quá sâu"));
    assert!(error(&nested(2000)).message.contains("lồng quá sâu"));
    assert!(error(&"[".repeat(4000)).message.contains("lồng quá sâu"));
    assert!(error(&"len(".repeat(1000)).message.contains("lồng quá sâu"));
    // Deep trees without brackets.
    assert!(Expr::parse(&format!("{}a", "not ".repeat(MAX_DEPTH - 1))).is_ok());
    assert!(
        error(&format!("{}a", "not ".repeat(MAX_DEPTH)))
            .message
            .contains("lồng quá sâu")
    );
    assert!(
        error(&format!("{}a", "!".repeat(4000)))
            .message
            .contains("lồng quá sâu")
    );
    assert!(
        error(&format!("{}1", "-".repeat(4000)))
            .message
            .contains("lồng quá sâu")
    );
    assert!(
        error(&["a"; 100].join(" + "))
            .message
            .contains("lồng quá sâu")
    );
    // Long flat conjunctions and lists are fine.
    assert!(Expr::parse(&["a == 1"; 300].join(" or ")).is_ok());
    assert!(Expr::parse(&format!("x in [{}]", ["1"; 1000].join(","))).is_ok());
    // Length.
    let long = format!("a == '{}'", "x".repeat(MAX_LEN));
    let err = error(&long);
    assert!(err.message.contains("quá dài"));
    assert_eq!(err.position, MAX_LEN);
    assert!(Expr::parse(&format!("a == '{}'", "x".repeat(MAX_LEN - 7))).is_ok());
    let long = "đ".repeat(MAX_LEN);
    assert_eq!(error(&long).position, MAX_LEN / 2);
}

#[test]
fn from_str_is_parse() {
    assert_eq!("a > 1".parse::<Expr>(), Expr::parse("a > 1"));
    assert!("a >".parse::<Expr>().is_err());
}

#[test]
fn fields_lists_paths_once() {
    let e = Expr::parse("a.b > 1 and (c in [a.b, d['x y']] or len(e[0]) == 2) and not c");
    assert_eq!(
        e.map(|e| e.fields()),
        Ok(vec![
            "a.b".to_string(),
            "c".to_string(),
            "d[\"x y\"]".to_string(),
            "e[0]".to_string()
        ])
    );
}
