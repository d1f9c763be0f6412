//! The condition language of exclusive and inclusive gateways: comparisons over the dossier's
//! data, `and`/`or`/`not`, parentheses; no scripting, no loops, no calls, bounded depth.
//!
//! The analyst writes the condition in Camunda Modeler or bpmn.io as the text of a sequence
//! flow's `conditionExpression`. The syntax is a small subset of Python expressions, so the same
//! BPMN file also runs under SpiffWorkflow (which evaluates conditions as Python):
//!
//! ```text
//! expr     := or
//! or       := and (("or" | "||") and)*
//! and      := not (("and" | "&&") not)*
//! not      := "not"* compare
//! compare  := sum (cmp_op sum)?          -- no chaining: `a < b < c` is an error
//! cmp_op   := "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" | "is" | "is" "not"
//! sum      := product (("+" | "-") product)*
//! product  := unary (("*" | "/") unary)*
//! unary    := ("-" | "!")* primary       -- `!` is `not` with the binding of a unary operator
//! primary  := number | string | "true" | "True" | "false" | "False" | "null" | "None"
//!           | path | "len" "(" expr ")" | "(" expr ")" | "[" (expr ("," expr)* ","?)? "]"
//! path     := name ("." name | "[" string "]" | "[" integer "]")*
//! ```
//!
//! Numbers are decimal (`12`, `1.5`, `.5`, `1e6`); strings take "double" or 'single' quotes with
//! the escapes `\\ \" \' \n \r \t`; names are letters (Vietnamese ones too), digits and `_`. A
//! Camunda-style `${ ... }` (or `#{ ... }`) wrapper is accepted and stripped.
//!
//! Semantics: a path that is not in the data is `null`. Numbers compare numerically, strings by
//! code point, `false` before `true`; a string that reads as a decimal number (form fields often
//! are strings) compares with a number, and takes part in arithmetic, as that number. Values of
//! different types are never equal (`==` false, `!=` true) and never ordered (`<` etc. false).
//! `x in list` is membership, `s in string` is substring, `key in object` is key presence; `in`
//! over anything else is false (and `not in` true). `and`/`or` short-circuit and give one of
//! their operands, as in Python; `false`, `null`, `0`, `""`, `[]` and `{}` are false, everything
//! else true.
//! Arithmetic is `f64`; division by zero, a non-numeric operand or a non-finite result is an
//! evaluation error, and a condition whose evaluation fails does not hold.
//!
//! Where Python would differ (checked by running the canonical form of random conditions through
//! Python's `eval`): here a missing name is `null` (Python: `NameError`); numeric strings compare
//! with and add to numbers (Python: `False`, `TypeError` or concatenation); `true` is not the
//! number 1 (Python's `bool` is an `int`); values of different types are unordered (Python:
//! `TypeError`); there is no repetition (`"a" * 3`), list concatenation or list ordering.
//!
//! Limits: at most [`MAX_LEN`] bytes of text and [`MAX_DEPTH`] levels of nesting (brackets, and
//! depth of the parsed tree), so neither parsing nor evaluation can exhaust the stack.
//!
//! [`Expr`]'s `Display` prints a canonical form (Python spelling: `True`, `None`, `and`, `not`,
//! only the parentheses needed) that parses back to an equal `Expr`.

mod display;
mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;

use display::write_path;
use eval::{eval, to_json, truthy};
use serde_json::Value;
use thiserror::Error;

/// The longest condition accepted, in bytes of UTF-8.
pub const MAX_LEN: usize = 4096;
/// The deepest nesting accepted: brackets inside brackets, and levels of the parsed tree.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Error)]
#[error("biểu thức điều kiện, ký tự {position}: {message}")]
pub struct ExprError {
    /// 0-based index of the character (not byte) of the original text where the error is; 0 for
    /// errors of evaluation.
    pub position: usize,
    pub message: String,
}

impl ExprError {
    fn new(position: usize, message: impl Into<String>) -> Self {
        ExprError {
            position,
            message: message.into(),
        }
    }
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    /// Always finite and non-negative when parsed (`-1` is `Neg(Number(1.0))`).
    Number(f64),
    Str(String),
    List(Vec<Expr>),
    /// A value of the data: `fee_vnd`, `applicant.address.province`, `items[0]`.
    Path(Vec<Segment>),
    /// `len(x)`: characters of a string, items of a list or object.
    Len(Box<Expr>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Two or more operands.
    And(Vec<Expr>),
    /// Two or more operands.
    Or(Vec<Expr>),
}

/// One step of a [`Expr::Path`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// `.name` or `["name"]`: a key of an object.
    Key(String),
    /// `[3]`: an item of an array.
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl Expr {
    /// Reads a condition; the error says where (character index) and what, in Vietnamese.
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        parser::parse(text)
    }

    /// Whether the condition holds for `data` (a JSON object: the dossier's form and facts).
    /// A condition whose evaluation fails (division by zero, ...) does not hold.
    pub fn holds(&self, data: &serde_json::Value) -> bool {
        matches!(eval(self, data), Ok(v) if truthy(&v))
    }

    /// The value of the expression over `data` (`and`/`or` give one of their operands, as in
    /// Python); an error for division by zero, arithmetic on non-numbers, non-finite results.
    pub fn eval(&self, data: &serde_json::Value) -> Result<Value, ExprError> {
        eval(self, data).map(to_json)
    }

    /// The data paths the condition reads, canonically spelled (`a.b`, `a["x y"]`, `a[0]`), each
    /// once, in order of first appearance.
    pub fn fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_fields(self, &mut out);
        out
    }
}

impl std::str::FromStr for Expr {
    type Err = ExprError;

    fn from_str(text: &str) -> Result<Expr, ExprError> {
        Expr::parse(text)
    }
}

fn collect_fields(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Null | Expr::Bool(_) | Expr::Number(_) | Expr::Str(_) => {}
        Expr::Path(segs) => {
            let mut s = String::new();
            // Writing into a String cannot fail.
            let _ = write_path(&mut s, segs);
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Expr::Len(x) | Expr::Neg(x) | Expr::Not(x) => collect_fields(x, out),
        Expr::Arith(_, l, r) | Expr::Compare(_, l, r) => {
            collect_fields(l, out);
            collect_fields(r, out);
        }
        Expr::List(items) | Expr::And(items) | Expr::Or(items) => {
            for item in items {
                collect_fields(item, out);
            }
        }
    }
}
