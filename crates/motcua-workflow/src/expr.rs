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

use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
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
        if text.len() > MAX_LEN {
            let position = text
                .char_indices()
                .take_while(|(b, _)| *b < MAX_LEN)
                .count();
            return Err(ExprError::new(
                position,
                format!("biểu thức quá dài (tối đa {MAX_LEN} byte)"),
            ));
        }
        let (inner, offset) = strip_wrapper(text)?;
        let tokens = lex(inner, offset)?;
        let mut parser = Parser::new(tokens, offset + inner.chars().count());
        if matches!(parser.peek(), Tk::End) {
            return Err(ExprError::new(parser.pos(), "biểu thức trống"));
        }
        let (expr, _) = parser.or(0)?;
        let pos = parser.pos();
        match parser.peek() {
            Tk::End => Ok(expr),
            Tk::RParen => Err(ExprError::new(pos, "dấu ngoặc đóng ')' thừa")),
            Tk::RBracket => Err(ExprError::new(pos, "dấu ngoặc vuông đóng ']' thừa")),
            tk => Err(ExprError::new(
                pos,
                format!(
                    "không hiểu {} ở đây: thiếu toán tử giữa hai giá trị? (tên trường không được \
                     có dấu cách)",
                    describe(tk)
                ),
            )),
        }
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

// ---------------------------------------------------------------------------------------------
// Text

/// Strips a `${ ... }` or `#{ ... }` wrapper; gives the inner text and its character offset.
fn strip_wrapper(text: &str) -> Result<(&str, usize), ExprError> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let trimmed = trimmed.trim_end();
    for open in ["${", "#{"] {
        if let Some(rest) = trimmed.strip_prefix(open) {
            return match rest.strip_suffix('}') {
                Some(inner) => {
                    let offset = text[..lead].chars().count() + 2;
                    Ok((inner, offset))
                }
                None => Err(ExprError::new(
                    text[..lead + trimmed.len()].chars().count(),
                    format!("thiếu dấu '}}' đóng cho '{open}'"),
                )),
            };
        }
    }
    Ok((text, 0))
}

#[derive(Debug, Clone, PartialEq)]
enum Tk {
    Num(f64),
    Str(String),
    Ident(String),
    And,
    Or,
    Not,
    In,
    Is,
    True,
    False,
    Null,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Bang,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tk: Tk,
    pos: usize,
}

fn symbol(tk: &Tk) -> &'static str {
    match tk {
        Tk::And => "and",
        Tk::Or => "or",
        Tk::Not => "not",
        Tk::In => "in",
        Tk::Is => "is",
        Tk::True => "True",
        Tk::False => "False",
        Tk::Null => "None",
        Tk::LParen => "(",
        Tk::RParen => ")",
        Tk::LBracket => "[",
        Tk::RBracket => "]",
        Tk::Comma => ",",
        Tk::Dot => ".",
        Tk::EqEq => "==",
        Tk::Ne => "!=",
        Tk::Lt => "<",
        Tk::Le => "<=",
        Tk::Gt => ">",
        Tk::Ge => ">=",
        Tk::Plus => "+",
        Tk::Minus => "-",
        Tk::Star => "*",
        Tk::Slash => "/",
        Tk::Bang => "!",
        Tk::Num(_) | Tk::Str(_) | Tk::Ident(_) | Tk::End => "",
    }
}

fn describe(tk: &Tk) -> String {
    match tk {
        Tk::Num(n) => format!("số {n}"),
        Tk::Str(s) => {
            let short: String = s.chars().take(30).collect();
            let more = if short.len() < s.len() { "..." } else { "" };
            format!("chuỗi \"{short}{more}\"")
        }
        Tk::Ident(name) => format!("'{name}'"),
        Tk::End => "cuối biểu thức".to_string(),
        other => format!("'{}'", symbol(other)),
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    // Combining diacritics: Vietnamese written in decomposed form (NFD).
    c.is_alphanumeric() || c == '_' || ('\u{0300}'..='\u{036F}').contains(&c)
}

fn keyword(name: &str) -> Option<Tk> {
    Some(match name {
        "and" => Tk::And,
        "or" => Tk::Or,
        "not" => Tk::Not,
        "in" => Tk::In,
        "is" => Tk::Is,
        "true" | "True" => Tk::True,
        "false" | "False" => Tk::False,
        "null" | "None" => Tk::Null,
        _ => return None,
    })
}

/// Python's reserved words: a key spelled like one is written `a["if"]`, not `a.if`.
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Whether `name` can be written bare in a path (`a.name`).
fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_ident_start)
        && chars.all(is_ident_continue)
        && keyword(name).is_none()
        && !PYTHON_KEYWORDS.contains(&name)
}

fn lex(text: &str, offset: usize) -> Result<Vec<Token>, ExprError> {
    let cs: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = cs.get(i) {
        let pos = offset + i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let next = cs.get(i + 1).copied();
        let (tk, len) = match c {
            '(' => (Tk::LParen, 1),
            ')' => (Tk::RParen, 1),
            '[' => (Tk::LBracket, 1),
            ']' => (Tk::RBracket, 1),
            ',' => (Tk::Comma, 1),
            '+' => (Tk::Plus, 1),
            '-' => (Tk::Minus, 1),
            '*' => (Tk::Star, 1),
            '/' => (Tk::Slash, 1),
            '.' if next.is_some_and(|n| n.is_ascii_digit()) => lex_number(&cs, i, offset)?,
            '.' => (Tk::Dot, 1),
            '=' if next == Some('=') => (Tk::EqEq, 2),
            '=' => return Err(ExprError::new(pos, "toán tử không hợp lệ '=' (dùng '==')")),
            '!' if next == Some('=') => (Tk::Ne, 2),
            '!' => (Tk::Bang, 1),
            '<' if next == Some('=') => (Tk::Le, 2),
            '<' => (Tk::Lt, 1),
            '>' if next == Some('=') => (Tk::Ge, 2),
            '>' => (Tk::Gt, 1),
            '&' if next == Some('&') => (Tk::And, 2),
            '&' => {
                return Err(ExprError::new(
                    pos,
                    "toán tử không hợp lệ '&' (dùng '&&' hoặc 'and')",
                ));
            }
            '|' if next == Some('|') => (Tk::Or, 2),
            '|' => {
                return Err(ExprError::new(
                    pos,
                    "toán tử không hợp lệ '|' (dùng '||' hoặc 'or')",
                ));
            }
            '"' | '\'' => lex_string(&cs, i, offset)?,
            c if c.is_ascii_digit() => lex_number(&cs, i, offset)?,
            c if is_ident_start(c) => {
                let len = cs[i..]
                    .iter()
                    .take_while(|&&c| is_ident_continue(c))
                    .count();
                let name: String = cs[i..i + len].iter().collect();
                (keyword(&name).unwrap_or(Tk::Ident(name)), len)
            }
            c => {
                let shown = if c.is_control() {
                    format!("{:?}", c)
                } else {
                    format!("'{c}'")
                };
                return Err(ExprError::new(pos, format!("ký tự không hợp lệ {shown}")));
            }
        };
        out.push(Token { tk, pos });
        i += len;
    }
    Ok(out)
}

fn lex_number(cs: &[char], start: usize, offset: usize) -> Result<(Tk, usize), ExprError> {
    let digits = |from: usize| {
        cs[from.min(cs.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut i = start + digits(start);
    if cs.get(i) == Some(&'.') {
        i += 1;
        i += digits(i);
    }
    if matches!(cs.get(i), Some('e' | 'E')) {
        let sign = usize::from(matches!(cs.get(i + 1), Some('+' | '-')));
        let exp = digits(i + 1 + sign);
        if exp > 0 {
            i += 1 + sign + exp;
        }
    }
    let bad_tail = cs[i..]
        .iter()
        .take_while(|&&c| is_ident_continue(c) || c == '.')
        .count();
    let lexeme: String = cs[start..i + bad_tail].iter().collect();
    if bad_tail > 0 {
        return Err(ExprError::new(
            offset + start,
            format!("số không hợp lệ '{lexeme}'"),
        ));
    }
    match lexeme.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok((Tk::Num(n), i - start)),
        Ok(_) => Err(ExprError::new(
            offset + start,
            format!("số quá lớn '{lexeme}'"),
        )),
        Err(_) => Err(ExprError::new(
            offset + start,
            format!("số không hợp lệ '{lexeme}'"),
        )),
    }
}

fn lex_string(cs: &[char], start: usize, offset: usize) -> Result<(Tk, usize), ExprError> {
    let quote = cs[start];
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        match cs.get(i) {
            None => return Err(ExprError::new(offset + start, "chuỗi chưa đóng")),
            Some(&c) if c == quote => return Ok((Tk::Str(s), i + 1 - start)),
            Some('\\') => {
                let escaped = match cs.get(i + 1) {
                    None => return Err(ExprError::new(offset + start, "chuỗi chưa đóng")),
                    Some('\\') => '\\',
                    Some('"') => '"',
                    Some('\'') => '\'',
                    Some('n') => '\n',
                    Some('r') => '\r',
                    Some('t') => '\t',
                    Some(other) => {
                        return Err(ExprError::new(
                            offset + i,
                            format!(
                                "ký tự thoát không hợp lệ '\\{other}' trong chuỗi (chỉ có \\\\ \\\" \
                                 \\' \\n \\r \\t)"
                            ),
                        ));
                    }
                };
                s.push(escaped);
                i += 2;
            }
            Some(&c) => {
                s.push(c);
                i += 1;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent; recursion happens only at brackets, whose nesting is bounded, and
// every node built checks the depth of the tree.

type Parsed = Result<(Expr, usize), ExprError>;

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    end: Token,
}

fn too_deep(pos: usize) -> ExprError {
    ExprError::new(
        pos,
        format!("biểu thức lồng quá sâu (tối đa {MAX_DEPTH} mức)"),
    )
}

impl Parser {
    fn new(tokens: Vec<Token>, end: usize) -> Self {
        Parser {
            tokens,
            i: 0,
            end: Token {
                tk: Tk::End,
                pos: end,
            },
        }
    }

    fn token(&self, at: usize) -> &Token {
        self.tokens.get(at).unwrap_or(&self.end)
    }

    fn peek(&self) -> &Tk {
        &self.token(self.i).tk
    }

    fn pos(&self) -> usize {
        self.token(self.i).pos
    }

    fn bump(&mut self) {
        if self.i < self.tokens.len() {
            self.i += 1;
        }
    }

    /// The depth of a node whose deepest child has depth `child`.
    fn deeper(child: usize, pos: usize) -> Result<usize, ExprError> {
        let depth = child + 1;
        if depth > MAX_DEPTH {
            Err(too_deep(pos))
        } else {
            Ok(depth)
        }
    }

    fn enter(nest: usize, pos: usize) -> Result<usize, ExprError> {
        Parser::deeper(nest, pos)
    }

    fn close(&mut self, expected: Tk, open: usize) -> Result<(), ExprError> {
        if *self.peek() == expected {
            self.bump();
            return Ok(());
        }
        let what = if expected == Tk::RParen {
            format!("thiếu dấu ngoặc đóng ')' cho dấu '(' ở ký tự {open}")
        } else {
            format!("thiếu dấu ngoặc vuông đóng ']' cho dấu '[' ở ký tự {open}")
        };
        let found = match self.peek() {
            Tk::End => String::new(),
            tk => format!(", gặp {}", describe(tk)),
        };
        Err(ExprError::new(self.pos(), format!("{what}{found}")))
    }

    fn or(&mut self, nest: usize) -> Parsed {
        self.junction(nest, &Tk::Or, Parser::and, Expr::Or)
    }

    fn and(&mut self, nest: usize) -> Parsed {
        self.junction(nest, &Tk::And, Parser::not, Expr::And)
    }

    fn junction(
        &mut self,
        nest: usize,
        op: &Tk,
        operand: fn(&mut Parser, usize) -> Parsed,
        build: fn(Vec<Expr>) -> Expr,
    ) -> Parsed {
        let (first, mut depth) = operand(self, nest)?;
        if self.peek() != op {
            return Ok((first, depth));
        }
        let pos = self.pos();
        let mut items = vec![first];
        while self.peek() == op {
            self.bump();
            let (item, d) = operand(self, nest)?;
            depth = depth.max(d);
            items.push(item);
        }
        Ok((build(items), Parser::deeper(depth, pos)?))
    }

    fn not(&mut self, nest: usize) -> Parsed {
        let mut nots = Vec::new();
        while *self.peek() == Tk::Not {
            nots.push(self.pos());
            self.bump();
        }
        let (mut expr, mut depth) = self.compare(nest)?;
        for pos in nots.into_iter().rev() {
            depth = Parser::deeper(depth, pos)?;
            expr = Expr::Not(Box::new(expr));
        }
        Ok((expr, depth))
    }

    /// Reads a comparison operator if one comes next.
    fn compare_op(&mut self) -> Result<Option<(CmpOp, usize)>, ExprError> {
        let pos = self.pos();
        let op = match self.peek() {
            Tk::EqEq => CmpOp::Eq,
            Tk::Ne => CmpOp::Ne,
            Tk::Lt => CmpOp::Lt,
            Tk::Le => CmpOp::Le,
            Tk::Gt => CmpOp::Gt,
            Tk::Ge => CmpOp::Ge,
            Tk::In => CmpOp::In,
            Tk::Not => {
                if self.token(self.i + 1).tk != Tk::In {
                    return Err(ExprError::new(
                        pos,
                        "sau 'not' ở đây phải là 'in' ('not in')",
                    ));
                }
                self.bump();
                CmpOp::NotIn
            }
            Tk::Is => {
                self.bump();
                if *self.peek() == Tk::Not {
                    self.bump();
                    return Ok(Some((CmpOp::Ne, pos)));
                }
                return Ok(Some((CmpOp::Eq, pos)));
            }
            _ => return Ok(None),
        };
        self.bump();
        Ok(Some((op, pos)))
    }

    fn compare(&mut self, nest: usize) -> Parsed {
        let (left, dl) = self.sum(nest)?;
        let Some((op, pos)) = self.compare_op()? else {
            return Ok((left, dl));
        };
        let (right, dr) = self.sum(nest)?;
        let next = self.pos();
        if self.compare_op()?.is_some() {
            return Err(ExprError::new(
                next,
                "không được nối tiếp hai phép so sánh (như 'a < b < c'); dùng 'and'",
            ));
        }
        let depth = Parser::deeper(dl.max(dr), pos)?;
        Ok((Expr::Compare(op, Box::new(left), Box::new(right)), depth))
    }

    fn sum(&mut self, nest: usize) -> Parsed {
        self.arith(nest, Parser::product, |tk| match tk {
            Tk::Plus => Some(ArithOp::Add),
            Tk::Minus => Some(ArithOp::Sub),
            _ => None,
        })
    }

    fn product(&mut self, nest: usize) -> Parsed {
        self.arith(nest, Parser::unary, |tk| match tk {
            Tk::Star => Some(ArithOp::Mul),
            Tk::Slash => Some(ArithOp::Div),
            _ => None,
        })
    }

    fn arith(
        &mut self,
        nest: usize,
        operand: fn(&mut Parser, usize) -> Parsed,
        op_of: fn(&Tk) -> Option<ArithOp>,
    ) -> Parsed {
        let (mut left, mut depth) = operand(self, nest)?;
        while let Some(op) = op_of(self.peek()) {
            let pos = self.pos();
            self.bump();
            let (right, dr) = operand(self, nest)?;
            depth = Parser::deeper(depth.max(dr), pos)?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
        Ok((left, depth))
    }

    fn unary(&mut self, nest: usize) -> Parsed {
        let mut ops = Vec::new();
        loop {
            match self.peek() {
                Tk::Minus => ops.push((true, self.pos())),
                Tk::Bang => ops.push((false, self.pos())),
                _ => break,
            }
            self.bump();
        }
        let (mut expr, mut depth) = self.primary(nest)?;
        for (neg, pos) in ops.into_iter().rev() {
            depth = Parser::deeper(depth, pos)?;
            expr = if neg {
                Expr::Neg(Box::new(expr))
            } else {
                Expr::Not(Box::new(expr))
            };
        }
        Ok((expr, depth))
    }

    fn primary(&mut self, nest: usize) -> Parsed {
        let pos = self.pos();
        let leaf = match self.peek().clone() {
            Tk::Num(n) => Expr::Number(n),
            Tk::Str(s) => Expr::Str(s),
            Tk::True => Expr::Bool(true),
            Tk::False => Expr::Bool(false),
            Tk::Null => Expr::Null,
            Tk::LParen => {
                let nest = Parser::enter(nest, pos)?;
                self.bump();
                let inner = self.or(nest)?;
                self.close(Tk::RParen, pos)?;
                return Ok(inner);
            }
            Tk::LBracket => return self.list(nest, pos),
            Tk::Ident(name) => return self.name(nest, name, pos),
            Tk::End => return Err(ExprError::new(pos, "thiếu một giá trị ở cuối biểu thức")),
            Tk::RParen => {
                return Err(ExprError::new(
                    pos,
                    "dấu ngoặc đóng ')' thừa, hoặc thiếu giá trị trước nó",
                ));
            }
            tk => {
                return Err(ExprError::new(
                    pos,
                    format!(
                        "cần một giá trị (tên trường, số, chuỗi, danh sách hoặc '(') nhưng gặp {}",
                        describe(&tk)
                    ),
                ));
            }
        };
        self.bump();
        Ok((leaf, 1))
    }

    fn list(&mut self, nest: usize, open: usize) -> Parsed {
        let nest = Parser::enter(nest, open)?;
        self.bump();
        let mut items = Vec::new();
        let mut depth = 0;
        while *self.peek() != Tk::RBracket {
            let (item, d) = self.or(nest)?;
            depth = depth.max(d);
            items.push(item);
            if *self.peek() != Tk::Comma {
                break;
            }
            self.bump();
        }
        self.close(Tk::RBracket, open)?;
        Ok((Expr::List(items), Parser::deeper(depth, open)?))
    }

    fn name(&mut self, nest: usize, name: String, pos: usize) -> Parsed {
        self.bump();
        if *self.peek() == Tk::LParen {
            if name != "len" {
                return Err(ExprError::new(
                    pos,
                    format!("không hỗ trợ gọi hàm '{name}' (chỉ có len(...))"),
                ));
            }
            let open = self.pos();
            let nest = Parser::enter(nest, open)?;
            self.bump();
            let (arg, depth) = self.or(nest)?;
            self.close(Tk::RParen, open)?;
            return Ok((Expr::Len(Box::new(arg)), Parser::deeper(depth, pos)?));
        }
        let mut segments = vec![Segment::Key(name)];
        loop {
            match self.peek() {
                Tk::Dot => {
                    self.bump();
                    let Tk::Ident(key) = self.peek().clone() else {
                        return Err(ExprError::new(
                            self.pos(),
                            format!("cần tên trường sau dấu '.', gặp {}", describe(self.peek())),
                        ));
                    };
                    segments.push(Segment::Key(key));
                    self.bump();
                }
                Tk::LBracket => {
                    let open = self.pos();
                    self.bump();
                    let segment = match self.peek() {
                        Tk::Str(key) => Segment::Key(key.clone()),
                        Tk::Num(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 1e15 => {
                            Segment::Index(*n as usize)
                        }
                        tk => {
                            return Err(ExprError::new(
                                self.pos(),
                                format!(
                                    "trong [...] sau tên trường chỉ được một chuỗi hoặc một số \
                                     nguyên không âm, gặp {}",
                                    describe(tk)
                                ),
                            ));
                        }
                    };
                    self.bump();
                    self.close(Tk::RBracket, open)?;
                    segments.push(segment);
                }
                _ => break,
            }
        }
        Ok((Expr::Path(segments), 1))
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// A value during evaluation: borrowed from the data or the expression where possible.
#[derive(Debug, Clone)]
enum V<'a> {
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

fn to_json(v: V<'_>) -> Value {
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

fn truthy(v: &V<'_>) -> bool {
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

fn eval<'a>(e: &'a Expr, data: &'a Value) -> Result<V<'a>, ExprError> {
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

// ---------------------------------------------------------------------------------------------
// Canonical text

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

fn write_path(f: &mut impl fmt::Write, segments: &[Segment]) -> fmt::Result {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
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
        assert!(
            !Expr::parse("not a == 1 or b and c").is_ok_and(|e| e.holds(&json!({"a": 1, "b": 1})))
        );
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

    // -- property tests ---------------------------------------------------------------------

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
                (arith.clone(), inner.clone(), inner.clone())
                    .prop_map(move |(op, l, r)| Expr::Arith(op, b(l), b(r))),
                (cmp.clone(), inner.clone(), inner.clone())
                    .prop_map(move |(op, l, r)| Expr::Compare(op, b(l), b(r))),
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
}
