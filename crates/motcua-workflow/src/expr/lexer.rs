//! Tokens: the text of a condition (less a `${ ... }` wrapper) as a list of tokens, each with
//! the character position where it starts; also which names can be written bare in a path.

use super::ExprError;

/// Strips a `${ ... }` or `#{ ... }` wrapper; gives the inner text and its character offset.
pub(super) fn strip_wrapper(text: &str) -> Result<(&str, usize), ExprError> {
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
pub(super) enum Tk {
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
pub(super) struct Token {
    pub(super) tk: Tk,
    pub(super) pos: usize,
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

pub(super) fn describe(tk: &Tk) -> String {
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
pub(super) fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_ident_start)
        && chars.all(is_ident_continue)
        && keyword(name).is_none()
        && !PYTHON_KEYWORDS.contains(&name)
}

pub(super) fn lex(text: &str, offset: usize) -> Result<Vec<Token>, ExprError> {
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
