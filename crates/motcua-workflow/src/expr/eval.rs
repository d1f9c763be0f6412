//! Evaluation: values (borrowed from the data where possible), truthiness, comparisons and
//! arithmetic.

use super::{ArithOp, CmpOp, Expr, ExprError, Segment};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A value during evaluation: borrowed from the data or the expression where possible.
#[derive(Debug, Clone)]
pub(super) enum V<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
    List(Vec<V<'a>>),
    Arr(&'a [Value]),
    Obj(&'a Map<String, Value>),
}

fn from_json(v: &Value) -> V<'_> {
    match v {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => n.as_f64().filter(|x| x.is_finite()).map_or(V::Null, V::Num),
        Value::String(s) => V::Str(Cow::Borrowed(s)),
        Value::Array(a) => V::Arr(a),
        Value::Object(o) => V::Obj(o),
    }
}

fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

pub(super) fn to_json(v: V<'_>) -> Value {
    match v {
        V::Null => Value::Null,
        V::Bool(b) => Value::Bool(b),
        V::Num(n) => number_json(n),
        V::Str(s) => Value::String(s.into_owned()),
        V::List(items) => Value::Array(items.into_iter().map(to_json).collect()),
        V::Arr(a) => Value::Array(a.to_vec()),
        V::Obj(o) => Value::Object(o.clone()),
    }
}

pub(super) fn truthy(v: &V<'_>) -> bool {
    match v {
        V::Null => false,
        V::Bool(b) => *b,
        V::Num(n) => *n != 0.0,
        V::Str(s) => !s.is_empty(),
        V::List(items) => !items.is_empty(),
        V::Arr(a) => !a.is_empty(),
        V::Obj(o) => !o.is_empty(),
    }
}

/// A string that reads as a plain decimal number (`"12"`, `" -1.5 "`), as that number.
fn numeric_str(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn to_num(v: &V<'_>) -> Option<f64> {
    match v {
        V::Num(n) => Some(*n),
        V::Str(s) => numeric_str(s),
        _ => None,
    }
}

fn seq_len(v: &V<'_>) -> Option<usize> {
    match v {
        V::List(items) => Some(items.len()),
        V::Arr(a) => Some(a.len()),
        _ => None,
    }
}

fn seq_item<'s, 'a>(v: &'s V<'a>, i: usize) -> Option<Cow<'s, V<'a>>> {
    match v {
        V::List(items) => items.get(i).map(Cow::Borrowed),
        V::Arr(a) => a.get(i).map(|x| Cow::Owned(from_json(x))),
        _ => None,
    }
}

/// Data nested deeper than this is not compared (such data does not come from a form).
const MAX_DATA_DEPTH: usize = 128;

fn equal(a: &V<'_>, b: &V<'_>, depth: usize) -> bool {
    if depth > MAX_DATA_DEPTH {
        return false;
    }
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Num(x), V::Num(y)) => x == y,
        (V::Num(x), V::Str(s)) | (V::Str(s), V::Num(x)) => numeric_str(s) == Some(*x),
        (V::Str(x), V::Str(y)) => x == y,
        (V::Obj(x), V::Obj(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.get(k)
                        .is_some_and(|w| equal(&from_json(v), &from_json(w), depth + 1))
                })
        }
        _ => match (seq_len(a), seq_len(b)) {
            (Some(la), Some(lb)) => {
                la == lb
                    && (0..la).all(|i| match (seq_item(a, i), seq_item(b, i)) {
                        (Some(x), Some(y)) => equal(&x, &y, depth + 1),
                        _ => false,
                    })
            }
            _ => false,
        },
    }
}

fn order(a: &V<'_>, b: &V<'_>) -> Option<Ordering> {
    match (a, b) {
        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        _ => to_num(a)?.partial_cmp(&to_num(b)?),
    }
}

fn contains(needle: &V<'_>, hay: &V<'_>) -> bool {
    match hay {
        V::Str(h) => matches!(needle, V::Str(n) if h.contains(n.as_ref())),
        V::Obj(o) => matches!(needle, V::Str(n) if o.contains_key(n.as_ref())),
        V::List(items) => items.iter().any(|x| equal(needle, x, 0)),
        V::Arr(a) => a.iter().any(|x| equal(needle, &from_json(x), 0)),
        _ => false,
    }
}

fn compare(op: CmpOp, a: &V<'_>, b: &V<'_>) -> bool {
    match op {
        CmpOp::Eq => equal(a, b, 0),
        CmpOp::Ne => !equal(a, b, 0),
        CmpOp::Lt => order(a, b) == Some(Ordering::Less),
        CmpOp::Le => matches!(order(a, b), Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => order(a, b) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order(a, b), Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::In => contains(a, b),
        CmpOp::NotIn => !contains(a, b),
    }
}

/// The expression as text for an error message, cut short.
fn snippet(e: &Expr) -> String {
    let full = e.to_string();
    let mut short: String = full.chars().take(60).collect();
    if short.len() < full.len() {
        short.push_str("...");
    }
    short
}

fn eval_error(e: &Expr, message: &str) -> ExprError {
    ExprError::new(0, format!("{message} trong '{}'", snippet(e)))
}

fn finite(n: f64, e: &Expr) -> Result<V<'static>, ExprError> {
    if n.is_finite() {
        Ok(V::Num(n))
    } else {
        Err(eval_error(e, "kết quả quá lớn"))
    }
}

fn lookup<'a>(data: &'a Value, segments: &[Segment]) -> V<'a> {
    let mut cur = data;
    for segment in segments {
        let next = match (segment, cur) {
            (Segment::Key(k), Value::Object(m)) => m.get(k),
            (Segment::Index(i), Value::Array(a)) => a.get(*i),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => return V::Null,
        }
    }
    from_json(cur)
}

pub(super) fn eval<'a>(e: &'a Expr, data: &'a Value) -> Result<V<'a>, ExprError> {
    Ok(match e {
        Expr::Null => V::Null,
        Expr::Bool(b) => V::Bool(*b),
        Expr::Number(n) => V::Num(*n),
        Expr::Str(s) => V::Str(Cow::Borrowed(s)),
        Expr::List(items) => V::List(
            items
                .iter()
                .map(|x| eval(x, data))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Path(segments) => lookup(data, segments),
        Expr::Len(x) => {
            let n = match eval(x, data)? {
                V::Str(s) => s.chars().count(),
                V::List(items) => items.len(),
                V::Arr(a) => a.len(),
                V::Obj(o) => o.len(),
                _ => return Err(eval_error(e, "len() cần một chuỗi hoặc danh sách")),
            };
            V::Num(n as f64)
        }
        Expr::Neg(x) => match to_num(&eval(x, data)?) {
            Some(n) => V::Num(-n),
            None => return Err(eval_error(e, "dấu '-' cần một số")),
        },
        Expr::Not(x) => V::Bool(!truthy(&eval(x, data)?)),
        Expr::Arith(op, l, r) => {
            let a = eval(l, data)?;
            let b = eval(r, data)?;
            if let (ArithOp::Add, V::Str(x), V::Str(y)) = (op, &a, &b) {
                return Ok(V::Str(Cow::Owned(format!("{x}{y}"))));
            }
            let (Some(x), Some(y)) = (to_num(&a), to_num(&b)) else {
                return Err(eval_error(e, "phép tính cần hai số"));
            };
            match op {
                ArithOp::Add => finite(x + y, e)?,
                ArithOp::Sub => finite(x - y, e)?,
                ArithOp::Mul => finite(x * y, e)?,
                ArithOp::Div if y == 0.0 => return Err(eval_error(e, "chia cho 0")),
                ArithOp::Div => finite(x / y, e)?,
            }
        }
        Expr::Compare(op, l, r) => {
            let a = eval(l, data)?;
            let b = eval(r, data)?;
            V::Bool(compare(*op, &a, &b))
        }
        Expr::And(items) => {
            let mut last = V::Bool(true);
            for item in items {
                last = eval(item, data)?;
                if !truthy(&last) {
                    break;
                }
            }
            last
        }
        Expr::Or(items) => {
            let mut last = V::Bool(false);
            for item in items {
                last = eval(item, data)?;
                if truthy(&last) {
                    break;
                }
            }
            last
        }
    })
}
