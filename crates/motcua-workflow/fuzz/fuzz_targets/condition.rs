//! The condition language: `Expr::parse` on any text never panics; what parses evaluates over a
//! few dossiers without panicking, and its canonical text parses back to the same `Expr`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_workflow::expr::{Expr, MAX_LEN};
use serde_json::{Value, json};
use std::sync::OnceLock;

fn dossiers() -> &'static [Value] {
    static DATA: OnceLock<Vec<Value>> = OnceLock::new();
    DATA.get_or_init(|| {
        vec![
            json!({
                "fee_vnd": 150000, "fee_text": "150000", "area": 60.5, "channel": "online",
                "approved": true, "note": "", "tags": ["urgent", "land", 3],
                "applicant": {"name": "Nguyễn Văn A", "age": "42", "address": {"province": "Hà Nội"}},
                "a": 1, "b": {"c": "2"}, "d": {"x": [1, 2]}, "e": ["", 0, null]
            }),
            json!({"a": "x", "b": {"c": null}, "e": [[]], "s": "", "n": 0}),
            json!({}),
            Value::Null,
        ]
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(expr) = Expr::parse(text) else {
        return;
    };
    for data in dossiers() {
        let holds = expr.holds(data);
        let value = expr.eval(data);
        // `holds` is the truthiness of `eval`, and false when evaluation fails.
        if value.is_err() {
            assert!(!holds, "{text:?} holds though its evaluation fails");
        }
    }
    let _ = expr.fields();
    let canonical = expr.to_string();
    if canonical.len() <= MAX_LEN {
        match Expr::parse(&canonical) {
            Ok(again) => assert_eq!(again, expr, "{text:?} -> {canonical:?}"),
            Err(err) => panic!("{text:?} -> {canonical:?} does not parse: {err}"),
        }
    }
});
