//! Canonical text: `Display` for [`Expr`], in Python spelling with only the parentheses needed.

use super::lexer::is_plain_name;
use super::{ArithOp, CmpOp, Expr, Segment};
use std::fmt;

/// Binding strength, loosest first: the parenthesization of `Display`.
fn precedence(e: &Expr) -> u8 {
    match e {
        Expr::Or(_) => 1,
        Expr::And(_) => 2,
        Expr::Not(_) => 3,
        Expr::Compare(..) => 4,
        Expr::Arith(ArithOp::Add | ArithOp::Sub, ..) => 5,
        Expr::Arith(ArithOp::Mul | ArithOp::Div, ..) => 6,
        Expr::Neg(_) => 7,
        Expr::Number(n) if n.is_sign_negative() => 7,
        _ => 8,
    }
}

fn write_str(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

pub(super) fn write_path(f: &mut impl fmt::Write, segments: &[Segment]) -> fmt::Result {
    for (i, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Key(k) if i == 0 => f.write_str(k)?,
            Segment::Key(k) if is_plain_name(k) => write!(f, ".{k}")?,
            Segment::Key(k) => {
                f.write_char('[')?;
                write_str(f, k)?;
                f.write_char(']')?;
            }
            Segment::Index(n) => write!(f, "[{n}]")?,
        }
    }
    Ok(())
}

fn write_expr(f: &mut fmt::Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if precedence(e) < min {
        f.write_str("(")?;
        write_bare(f, e)?;
        f.write_str(")")
    } else {
        write_bare(f, e)
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, items: &[Expr], sep: &str, min: u8) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write_expr(f, item, min)?;
    }
    Ok(())
}

fn write_bare(f: &mut fmt::Formatter<'_>, e: &Expr) -> fmt::Result {
    match e {
        Expr::Null => f.write_str("None"),
        Expr::Bool(true) => f.write_str("True"),
        Expr::Bool(false) => f.write_str("False"),
        Expr::Number(n) => write!(f, "{n}"),
        Expr::Str(s) => write_str(f, s),
        Expr::List(items) => {
            f.write_str("[")?;
            write_joined(f, items, ", ", 1)?;
            f.write_str("]")
        }
        Expr::Path(segments) => write_path(f, segments),
        Expr::Len(x) => {
            f.write_str("len(")?;
            write_expr(f, x, 1)?;
            f.write_str(")")
        }
        Expr::Neg(x) => {
            f.write_str("-")?;
            write_expr(f, x, 7)
        }
        Expr::Not(x) => {
            f.write_str("not ")?;
            write_expr(f, x, 3)
        }
        Expr::Arith(op, l, r) => {
            let (sym, p) = match op {
                ArithOp::Add => ("+", 5),
                ArithOp::Sub => ("-", 5),
                ArithOp::Mul => ("*", 6),
                ArithOp::Div => ("/", 6),
            };
            write_expr(f, l, p)?;
            write!(f, " {sym} ")?;
            write_expr(f, r, p + 1)
        }
        Expr::Compare(op, l, r) => {
            let sym = match op {
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
                CmpOp::In => "in",
                CmpOp::NotIn => "not in",
            };
            write_expr(f, l, 5)?;
            write!(f, " {sym} ")?;
            write_expr(f, r, 5)
        }
        Expr::And(items) => write_joined(f, items, " and ", 3),
        Expr::Or(items) => write_joined(f, items, " or ", 2),
    }
}

impl fmt::Display for Expr {
    /// The canonical text: parses back to an equal `Expr`, and is a valid Python expression.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self, 0)
    }
}
