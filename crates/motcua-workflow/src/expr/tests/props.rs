//! Property tests: any text parses or fails without panicking, and canonical text parses back.

use super::*;
use crate::expr::lexer::is_plain_name;
use proptest::prelude::*;

fn plain_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,6}",
        "[A-Z][a-zA-Z]{0,4}",
        Just("phí_vnđ".to_string()),
        Just("len".to_string()),
    ]
    .prop_filter("keyword", |s| is_plain_name(s))
}

fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        plain_name().prop_map(Segment::Key),
        any::<String>().prop_map(Segment::Key),
        Just(Segment::Key("if".into())),
        (0usize..100).prop_map(Segment::Index),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        Just(Expr::Null),
        any::<bool>().prop_map(Expr::Bool),
        (0u32..1_000_000).prop_map(|n| Expr::Number(f64::from(n))),
        (0u32..1_000_000).prop_map(|n| Expr::Number(f64::from(n) / 1000.0)),
        (0.0f64..1e300).prop_map(Expr::Number),
        any::<String>().prop_map(Expr::Str),
        "[\"'\\\\\n\t a-z]{0,5}".prop_map(Expr::Str),
        (plain_name(), prop::collection::vec(segment(), 0..3)).prop_map(|(first, rest)| {
            let mut segs = vec![Segment::Key(first)];
            segs.extend(rest);
            Expr::Path(segs)
        }),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let cmp = prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
        Just(CmpOp::In),
        Just(CmpOp::NotIn),
    ];
    let arith = prop_oneof![
        Just(ArithOp::Add),
        Just(ArithOp::Sub),
        Just(ArithOp::Mul),
        Just(ArithOp::Div)
    ];
    leaf().prop_recursive(6, 48, 4, move |inner| {
        let b = |e: Expr| Box::new(e);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::List),
            inner.clone().prop_map(move |e| Expr::Len(b(e))),
            inner.clone().prop_map(move |e| Expr::Neg(b(e))),
            inner.clone().prop_map(move |e| Expr::Not(b(e))),
            (arith.clone(), inner.clone(), inner.clone()).prop_map(move |(op, l, r)| Expr::Arith(
                op,
                b(l),
                b(r)
            )),
            (cmp.clone(), inner.clone(), inner.clone()).prop_map(move |(op, l, r)| Expr::Compare(
                op,
                b(l),
                b(r)
            )),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
        ]
    })
}

/// Text made of the language's own pieces, to reach deeper than random characters do.
fn token_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a"),
        Just("b.c"),
        Just("d['x']"),
        Just("e[0]"),
        Just("1"),
        Just("2.5"),
        Just("'s'"),
        Just("\"t\""),
        Just("True"),
        Just("null"),
        Just("None"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just(","),
        Just("."),
        Just("=="),
        Just("!="),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
        Just("in"),
        Just("not"),
        Just("is"),
        Just("and"),
        Just("or"),
        Just("&&"),
        Just("||"),
        Just("!"),
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("len("),
        Just("${"),
        Just("}"),
        Just("'"),
        Just("\\"),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.join(" "))
}

fn sample_data() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(data()),
        Just(json!({"a": 1, "b": {"c": "2"}, "d": {"x": [1, 2]}, "e": ["", 0]})),
        Just(json!({"a": "x", "e": [[]], "b": {"c": null}})),
        Just(Value::Null),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = Expr::parse(&text);
    }

    #[test]
    fn display_parses_back(e in expr(), d in sample_data()) {
        let text = e.to_string();
        prop_assert_eq!(Expr::parse(&text), Ok(e.clone()), "{}", text);
        let _ = e.eval(&d);
        let _ = e.fields();
    }

    #[test]
    fn parsed_text_round_trips(text in token_soup(), d in sample_data()) {
        if let Ok(e) = Expr::parse(&text) {
            let canonical = e.to_string();
            if canonical.len() <= MAX_LEN {
                prop_assert_eq!(Expr::parse(&canonical), Ok(e.clone()), "{} -> {}", text, canonical);
            }
            let _ = e.holds(&d);
        }
    }
}
