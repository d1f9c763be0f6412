//! Grammar → tree: recursive descent over the tokens; recursion happens only at brackets, whose
//! nesting is bounded, and every node built checks the depth of the tree.

use super::lexer::{Tk, Token, describe, lex, strip_wrapper};
use super::{ArithOp, CmpOp, Expr, ExprError, MAX_DEPTH, MAX_LEN, Segment};

/// Reads a condition: see [`Expr::parse`].
pub(super) fn parse(text: &str) -> Result<Expr, ExprError> {
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
