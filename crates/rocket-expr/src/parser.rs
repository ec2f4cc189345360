//! Lexer and Pratt parser. Both are bounded: the source length is checked
//! before lexing, and every construct that makes the parser recurse passes
//! through [`Parser::nest`], so hostile nesting returns an error long before
//! the native stack is at risk.

use crate::ast::{BinOp, Expr, Func, Kind, Method, UnOp};
use crate::limits::{MAX_AST_HEIGHT, MAX_DEPTH, MAX_REGEX_SIZE};

/// A failure with the byte offset it refers to; `lib.rs` adds line/column.
pub(crate) type PErr = (String, usize);
type PResult<T> = Result<T, PErr>;

#[derive(Debug, Clone, PartialEq)]
enum Tok<'s> {
    Int(i64),
    Float(f64),
    Str(String),
    Ident(&'s str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Dot,
    QDot,
    Colon,
    Question,
    QQ,
    OrOr,
    AndAnd,
    Bang,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    StarStar,
    Slash,
    Percent,
    Eof,
}

fn describe(t: &Tok<'_>) -> String {
    match t {
        Tok::Int(i) => format!("number {i}"),
        Tok::Float(f) => format!("number {f}"),
        Tok::Str(_) => "string literal".into(),
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Eof => "end of expression".into(),
        other => format!("'{}'", punct(other)),
    }
}

fn punct(t: &Tok<'_>) -> &'static str {
    match t {
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::LBrace => "{",
        Tok::RBrace => "}",
        Tok::Comma => ",",
        Tok::Dot => ".",
        Tok::QDot => "?.",
        Tok::Colon => ":",
        Tok::Question => "?",
        Tok::QQ => "??",
        Tok::OrOr => "||",
        Tok::AndAnd => "&&",
        Tok::Bang => "!",
        Tok::EqEq => "==",
        Tok::NotEq => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::StarStar => "**",
        Tok::Slash => "/",
        Tok::Percent => "%",
        _ => "?",
    }
}

struct Token<'s> {
    tok: Tok<'s>,
    pos: usize,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

fn lex(src: &str) -> PResult<Vec<Token<'_>>> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let (tok, end) = lex_number(src, i)?;
            toks.push(Token { tok, pos: start });
            i = end;
            continue;
        }
        if is_ident_start(c) {
            while i < b.len() && is_ident_char(b[i]) {
                i += 1;
            }
            toks.push(Token {
                tok: Tok::Ident(&src[start..i]),
                pos: start,
            });
            continue;
        }
        if c == b'\'' || c == b'"' {
            let (s, end) = lex_string(src, i)?;
            toks.push(Token {
                tok: Tok::Str(s),
                pos: start,
            });
            i = end;
            continue;
        }
        let next = b.get(i + 1).copied();
        let next2 = b.get(i + 2).copied();
        let (tok, len) = match (c, next) {
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'[', _) => (Tok::LBracket, 1),
            (b']', _) => (Tok::RBracket, 1),
            (b'{', _) => (Tok::LBrace, 1),
            (b'}', _) => (Tok::RBrace, 1),
            (b',', _) => (Tok::Comma, 1),
            (b':', _) => (Tok::Colon, 1),
            (b'.', _) => {
                if next.is_some_and(|n| n.is_ascii_digit()) {
                    return Err((
                        "a number must start with a digit (write 0.5, not .5)".into(),
                        start,
                    ));
                }
                (Tok::Dot, 1)
            }
            (b'?', Some(b'.')) => (Tok::QDot, 2),
            (b'?', Some(b'?')) => (Tok::QQ, 2),
            (b'?', _) => (Tok::Question, 1),
            (b'|', Some(b'|')) => (Tok::OrOr, 2),
            (b'&', Some(b'&')) => (Tok::AndAnd, 2),
            (b'=', Some(b'=')) if next2 == Some(b'=') => (Tok::EqEq, 3),
            (b'=', Some(b'=')) => (Tok::EqEq, 2),
            (b'=', _) => {
                return Err(("unexpected '=' (use '==' to compare)".into(), start));
            }
            (b'!', Some(b'=')) if next2 == Some(b'=') => (Tok::NotEq, 3),
            (b'!', Some(b'=')) => (Tok::NotEq, 2),
            (b'!', _) => (Tok::Bang, 1),
            (b'<', Some(b'=')) => (Tok::Le, 2),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', Some(b'=')) => (Tok::Ge, 2),
            (b'>', _) => (Tok::Gt, 1),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'*', Some(b'*')) => (Tok::StarStar, 2),
            (b'*', _) => (Tok::Star, 1),
            (b'/', _) => (Tok::Slash, 1),
            (b'%', _) => (Tok::Percent, 1),
            _ => {
                let ch = src[start..].chars().next().unwrap_or('?');
                return Err((format!("unexpected character '{ch}'"), start));
            }
        };
        toks.push(Token { tok, pos: start });
        i += len;
    }
    toks.push(Token {
        tok: Tok::Eof,
        pos: src.len(),
    });
    Ok(toks)
}

fn lex_number(src: &str, start: usize) -> PResult<(Tok<'static>, usize)> {
    let b = src.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    let mut is_float = false;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
        is_float = true;
        i = digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if !b.get(j).is_some_and(|c| c.is_ascii_digit()) {
            return Err(("malformed number exponent".into(), start));
        }
        is_float = true;
        i = digits(j);
    }
    if b.get(i).is_some_and(|&c| is_ident_char(c)) {
        return Err(("invalid number literal".into(), start));
    }
    let text = &src[start..i];
    if !is_float {
        if let Ok(v) = text.parse::<i64>() {
            return Ok((Tok::Int(v), i));
        }
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok((Tok::Float(f), i)),
        _ => Err(("number literal out of range".into(), start)),
    }
}

fn lex_string(src: &str, start: usize) -> PResult<(String, usize)> {
    let quote = src.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((off, c)) = chars.next() {
        let at = start + 1 + off;
        match c {
            c if c == quote => return Ok((out, at + 1)),
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    break;
                };
                match e {
                    '\\' => out.push('\\'),
                    '\'' => out.push('\''),
                    '"' => out.push('"'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hi = hex4(&mut chars).ok_or(("invalid \\u escape".to_string(), at))?;
                        let code = if (0xD800..0xDC00).contains(&hi) {
                            // A UTF-16 surrogate pair, as JSON and JavaScript write astral characters.
                            let ok_pair = matches!(chars.next(), Some((_, '\\')))
                                && matches!(chars.next(), Some((_, 'u')));
                            let lo = if ok_pair { hex4(&mut chars) } else { None };
                            match lo {
                                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                }
                                _ => return Err(("unpaired surrogate in \\u escape".into(), at)),
                            }
                        } else {
                            hi
                        };
                        match char::from_u32(code) {
                            Some(ch) => out.push(ch),
                            None => return Err(("invalid \\u escape".into(), at)),
                        }
                    }
                    other => {
                        return Err((format!("invalid escape sequence '\\{other}'"), at));
                    }
                }
            }
            c => out.push(c),
        }
    }
    Err(("unterminated string literal".into(), start))
}

fn hex4(chars: &mut std::str::CharIndices<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        let (_, c) = chars.next()?;
        v = v * 16 + c.to_digit(16)?;
    }
    Some(v)
}

#[derive(Clone, Copy)]
enum Infix {
    Cond,
    Coalesce,
    Or,
    And,
    Bin(BinOp),
}

struct Parser<'s> {
    toks: Vec<Token<'s>>,
    i: usize,
    depth: usize,
}

pub(crate) fn parse(src: &str) -> PResult<Expr> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(("empty expression".into(), 0));
    }
    let e = p.expr(0)?;
    if p.peek() != &Tok::Eof {
        return Err((format!("unexpected {}", describe(p.peek())), p.pos()));
    }
    Ok(e)
}

fn mk(kind: Kind, pos: usize) -> PResult<Expr> {
    fn h(e: &Expr) -> u16 {
        e.height
    }
    let child = match &kind {
        Kind::Null
        | Kind::Bool(_)
        | Kind::Int(_)
        | Kind::Float(_)
        | Kind::Str(_)
        | Kind::Var(_)
        | Kind::NewDate(None) => 0,
        Kind::Member(a, _) | Kind::Unary(_, a) | Kind::MatchesLit(a, _) => h(a),
        Kind::NewDate(Some(a)) => h(a),
        Kind::Index(a, b) | Kind::Binary(_, a, b) | Kind::Coalesce(a, b) => h(a).max(h(b)),
        Kind::Cond(a, b, c) => h(a).max(h(b)).max(h(c)),
        Kind::And(v) | Kind::Or(v) | Kind::Array(v) | Kind::Call(_, v) => {
            v.iter().map(h).max().unwrap_or(0)
        }
        Kind::Method(r, _, v) => v.iter().map(h).max().unwrap_or(0).max(h(r)),
        Kind::Object(v) => v.iter().map(|(_, e)| h(e)).max().unwrap_or(0),
    };
    let height = child.saturating_add(1);
    if usize::from(height) > MAX_AST_HEIGHT {
        return Err((
            format!("expression too complex (more than {MAX_AST_HEIGHT} levels of operators)"),
            pos,
        ));
    }
    Ok(Expr {
        kind,
        pos: pos as u32,
        height,
    })
}

/// Adds `rhs` to a flattened `&&` (`and`) or `||` chain: appended when `lhs`
/// already is one (the chain keeps its position), else a new two-item chain
/// at `pos`. Long allow-lists thus stay one level deep.
fn chain(lhs: Expr, rhs: Expr, pos: usize, and: bool) -> PResult<Expr> {
    let make: fn(Vec<Expr>) -> Kind = if and { Kind::And } else { Kind::Or };
    match (lhs.kind, and) {
        (Kind::And(mut v), true) | (Kind::Or(mut v), false) => {
            v.push(rhs);
            mk(make(v), lhs.pos as usize)
        }
        (kind, _) => mk(make(vec![Expr { kind, ..lhs }, rhs]), pos),
    }
}

fn words_reserved(w: &str) -> bool {
    matches!(
        w,
        "and" | "or" | "not" | "in" | "contains" | "startsWith" | "endsWith" | "matches"
    )
}

impl<'s> Parser<'s> {
    fn peek(&self) -> &Tok<'s> {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }

    fn peek_at(&self, n: usize) -> &Tok<'s> {
        &self.toks[(self.i + n).min(self.toks.len() - 1)].tok
    }

    fn pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].pos
    }

    fn bump(&mut self) -> Tok<'s> {
        let idx = self.i.min(self.toks.len() - 1);
        self.i += 1;
        std::mem::replace(&mut self.toks[idx].tok, Tok::Eof)
    }

    fn expect(&mut self, t: Tok<'static>) -> PResult<()> {
        if self.peek() == &t {
            self.i += 1;
            Ok(())
        } else {
            Err((
                format!("expected '{}', found {}", punct(&t), describe(self.peek())),
                self.pos(),
            ))
        }
    }

    fn nest<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= MAX_DEPTH {
            return Err((
                format!("expression nested too deeply (limit {MAX_DEPTH})"),
                self.pos(),
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn infix(&self) -> Option<(Infix, u8, usize)> {
        Some(match self.peek() {
            Tok::Question => (Infix::Cond, 1, 1),
            Tok::QQ => (Infix::Coalesce, 2, 1),
            Tok::OrOr => (Infix::Or, 3, 1),
            Tok::AndAnd => (Infix::And, 4, 1),
            Tok::EqEq => (Infix::Bin(BinOp::Eq), 5, 1),
            Tok::NotEq => (Infix::Bin(BinOp::Ne), 5, 1),
            Tok::Lt => (Infix::Bin(BinOp::Lt), 6, 1),
            Tok::Le => (Infix::Bin(BinOp::Le), 6, 1),
            Tok::Gt => (Infix::Bin(BinOp::Gt), 6, 1),
            Tok::Ge => (Infix::Bin(BinOp::Ge), 6, 1),
            Tok::Plus => (Infix::Bin(BinOp::Add), 7, 1),
            Tok::Minus => (Infix::Bin(BinOp::Sub), 7, 1),
            Tok::Star => (Infix::Bin(BinOp::Mul), 8, 1),
            Tok::Slash => (Infix::Bin(BinOp::Div), 8, 1),
            Tok::Percent => (Infix::Bin(BinOp::Mod), 8, 1),
            Tok::StarStar => (Infix::Bin(BinOp::Pow), 10, 1),
            Tok::Ident(w) => match *w {
                "or" => (Infix::Or, 3, 1),
                "and" => (Infix::And, 4, 1),
                "in" => (Infix::Bin(BinOp::In), 6, 1),
                "not" if self.peek_at(1) == &Tok::Ident("in") => (Infix::Bin(BinOp::NotIn), 6, 2),
                "contains" => (Infix::Bin(BinOp::Contains), 6, 1),
                "startsWith" => (Infix::Bin(BinOp::StartsWith), 6, 1),
                "endsWith" => (Infix::Bin(BinOp::EndsWith), 6, 1),
                "matches" => (Infix::Bin(BinOp::Matches), 6, 1),
                _ => return None,
            },
            _ => return None,
        })
    }

    fn expr(&mut self, min_bp: u8) -> PResult<Expr> {
        let mut lhs = self.prefix()?;
        while let Some((op, lbp, ntoks)) = self.infix() {
            if lbp < min_bp {
                break;
            }
            let pos = self.pos();
            self.i += ntoks;
            lhs = match op {
                Infix::Cond => {
                    let then = self.nest(|p| p.expr(0))?;
                    self.expect(Tok::Colon)?;
                    let els = self.nest(|p| p.expr(1))?;
                    mk(
                        Kind::Cond(Box::new(lhs), Box::new(then), Box::new(els)),
                        pos,
                    )?
                }
                Infix::Coalesce => {
                    let rhs = self.expr(lbp + 1)?;
                    mk(Kind::Coalesce(Box::new(lhs), Box::new(rhs)), pos)?
                }
                Infix::Or | Infix::And => {
                    let rhs = self.expr(lbp + 1)?;
                    chain(lhs, rhs, pos, matches!(op, Infix::And))?
                }
                Infix::Bin(BinOp::Pow) => {
                    // Right-associative: the right operand may contain another `**`.
                    let rhs = self.nest(|p| p.expr(lbp))?;
                    mk(Kind::Binary(BinOp::Pow, Box::new(lhs), Box::new(rhs)), pos)?
                }
                Infix::Bin(BinOp::Matches) => {
                    let rhs = self.expr(lbp + 1)?;
                    matches_node(lhs, rhs, pos)?
                }
                Infix::Bin(op) => {
                    let rhs = self.expr(lbp + 1)?;
                    mk(Kind::Binary(op, Box::new(lhs), Box::new(rhs)), pos)?
                }
            };
        }
        Ok(lhs)
    }

    fn prefix(&mut self) -> PResult<Expr> {
        let pos = self.pos();
        let op = match self.peek() {
            Tok::Bang => UnOp::Not,
            Tok::Ident("not") => UnOp::Not,
            Tok::Minus => UnOp::Neg,
            Tok::Plus => UnOp::Plus,
            _ => return self.postfix(),
        };
        self.i += 1;
        // Level 9: the operand may contain `**` (level 10) but nothing looser.
        let operand = self.nest(|p| p.expr(9))?;
        match (op, &operand.kind) {
            (UnOp::Neg, Kind::Int(i)) if *i != i64::MIN => mk(Kind::Int(-i), pos),
            (UnOp::Neg, Kind::Float(f)) => mk(Kind::Float(-f), pos),
            _ => mk(Kind::Unary(op, Box::new(operand)), pos),
        }
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            let pos = self.pos();
            match self.peek() {
                Tok::Dot | Tok::QDot => {
                    let optional = self.peek() == &Tok::QDot;
                    self.i += 1;
                    if optional && self.peek() == &Tok::LBracket {
                        e = self.index(e, pos)?;
                        continue;
                    }
                    let name = match self.bump() {
                        Tok::Ident(n) => n,
                        other => {
                            self.i -= 1;
                            return Err((
                                format!("expected a property name, found {}", describe(&other)),
                                self.pos(),
                            ));
                        }
                    };
                    if self.peek() == &Tok::LParen {
                        let name_pos = self.pos();
                        let args = self.args()?;
                        let (method, arity) = Method::lookup(name);
                        if let Some(n) = arity {
                            if n != args.len() {
                                return Err((
                                    format!(
                                        "wrong number of arguments for method {name}: expected {n}, got {}",
                                        args.len()
                                    ),
                                    name_pos,
                                ));
                            }
                        }
                        e = mk(Kind::Method(Box::new(e), method, args), pos)?;
                    } else {
                        e = mk(Kind::Member(Box::new(e), name.into()), pos)?;
                    }
                }
                Tok::LBracket => e = self.index(e, pos)?,
                Tok::LParen => {
                    return Err(("only named functions and methods can be called".into(), pos));
                }
                _ => return Ok(e),
            }
        }
    }

    fn index(&mut self, e: Expr, pos: usize) -> PResult<Expr> {
        self.i += 1; // '['
        let idx = self.nest(|p| p.expr(0))?;
        self.expect(Tok::RBracket)?;
        mk(Kind::Index(Box::new(e), Box::new(idx)), pos)
    }

    fn args(&mut self) -> PResult<Vec<Expr>> {
        self.i += 1; // '('
        self.nest(|p| p.list(Tok::RParen))
    }

    fn list(&mut self, close: Tok<'static>) -> PResult<Vec<Expr>> {
        let mut items = Vec::new();
        loop {
            if self.peek() == &close {
                self.i += 1;
                return Ok(items);
            }
            items.push(self.expr(0)?);
            if self.peek() == &Tok::Comma {
                self.i += 1;
            } else if self.peek() != &close {
                return Err((
                    format!(
                        "expected ',' or '{}', found {}",
                        punct(&close),
                        describe(self.peek())
                    ),
                    self.pos(),
                ));
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let pos = self.pos();
        match self.bump() {
            Tok::Int(i) => mk(Kind::Int(i), pos),
            Tok::Float(f) => mk(Kind::Float(f), pos),
            Tok::Str(s) => mk(Kind::Str(s.into()), pos),
            Tok::LParen => {
                let e = self.nest(|p| p.expr(0))?;
                self.expect(Tok::RParen)?;
                Ok(e)
            }
            Tok::LBracket => {
                let items = self.nest(|p| p.list(Tok::RBracket))?;
                mk(Kind::Array(items), pos)
            }
            Tok::LBrace => {
                let fields = self.nest(|p| p.object())?;
                mk(Kind::Object(fields), pos)
            }
            Tok::Ident(w) => self.word(w, pos),
            other => {
                self.i -= 1;
                Err((format!("unexpected {}", describe(&other)), pos))
            }
        }
    }

    fn object(&mut self) -> PResult<Vec<(Box<str>, Expr)>> {
        let mut fields: Vec<(Box<str>, Expr)> = Vec::new();
        loop {
            let kpos = self.pos();
            let key: Box<str> = match self.bump() {
                Tok::RBrace => return Ok(fields),
                Tok::Ident(w) => w.into(),
                Tok::Str(s) => s.into(),
                Tok::Int(i) => i.to_string().into(),
                Tok::Float(f) => crate::value::fmt_float(f).into(),
                other => {
                    self.i -= 1;
                    return Err((
                        format!("expected an object key, found {}", describe(&other)),
                        kpos,
                    ));
                }
            };
            self.expect(Tok::Colon)?;
            let value = self.expr(0)?;
            // Later duplicates win, as in JSON.parse and Go maps.
            fields.retain(|(k, _)| *k != key);
            fields.push((key, value));
            match self.peek() {
                Tok::Comma => self.i += 1,
                Tok::RBrace => {}
                other => {
                    return Err((
                        format!("expected ',' or '}}', found {}", describe(other)),
                        self.pos(),
                    ))
                }
            }
        }
    }

    fn word(&mut self, w: &'s str, pos: usize) -> PResult<Expr> {
        match w {
            "true" => return mk(Kind::Bool(true), pos),
            "false" => return mk(Kind::Bool(false), pos),
            "nil" | "null" | "undefined" => return mk(Kind::Null, pos),
            "new" => return self.new_date(pos),
            _ => {}
        }
        if self.peek() == &Tok::LParen {
            // Name first: `repeat(…)` should say "unknown function", whatever
            // follows.
            let Some((func, arity)) = Func::lookup(w) else {
                return Err((format!("unknown function: {w}"), pos));
            };
            let args = self.args()?;
            if args.len() != arity {
                return Err((
                    format!(
                        "wrong number of arguments for {w}: expected {arity}, got {}",
                        args.len()
                    ),
                    pos,
                ));
            }
            if func == Func::Matches {
                let mut it = args.into_iter();
                if let (Some(a), Some(b)) = (it.next(), it.next()) {
                    return matches_node(a, b, pos);
                }
                return Err(("wrong number of arguments for matches".into(), pos));
            }
            return mk(Kind::Call(func, args), pos);
        }
        if words_reserved(w) {
            return Err((format!("unexpected keyword '{w}'"), pos));
        }
        if matches!(w, "Math" | "Date" | "JSON") && matches!(self.peek(), Tok::Dot | Tok::QDot) {
            return Err((format!("the JavaScript global {w} is not supported"), pos));
        }
        mk(Kind::Var(w.into()), pos)
    }

    fn new_date(&mut self, pos: usize) -> PResult<Expr> {
        if self.peek() != &Tok::Ident("Date") || self.peek_at(1) != &Tok::LParen {
            return Err(("'new' must be followed by Date(…)".into(), pos));
        }
        self.i += 1;
        let args = self.args()?;
        if args.len() > 1 {
            return Err((
                format!("new Date takes at most one argument, got {}", args.len()),
                pos,
            ));
        }
        let arg = args.into_iter().next().map(Box::new);
        mk(Kind::NewDate(arg), pos)
    }
}

fn matches_node(lhs: Expr, rhs: Expr, pos: usize) -> PResult<Expr> {
    if let Kind::Str(pat) = &rhs.kind {
        let re = build_regex(pat).map_err(|m| (m, rhs.pos as usize))?;
        return mk(Kind::MatchesLit(Box::new(lhs), Box::new(re)), pos);
    }
    mk(
        Kind::Binary(BinOp::Matches, Box::new(lhs), Box::new(rhs)),
        pos,
    )
}

pub(crate) fn build_regex(pat: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pat)
        .size_limit(MAX_REGEX_SIZE)
        .dfa_size_limit(MAX_REGEX_SIZE)
        .nest_limit(MAX_DEPTH as u32)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => "regular expression too large".to_string(),
            other => format!(
                "invalid regular expression: {}",
                first_line(&other.to_string())
            ),
        })
}

fn first_line(s: &str) -> String {
    // The regex crate's messages are multi-line diagrams; keep the gist.
    s.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| s.lines().next().unwrap_or(""))
        .trim_start_matches("error: ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The item counts of a chain and its first item, when they are chains.
    fn shape(src: &str) -> (Option<usize>, Option<usize>) {
        fn items(k: &Kind) -> Option<&[Expr]> {
            match k {
                Kind::And(v) | Kind::Or(v) => Some(v),
                _ => None,
            }
        }
        let e = parse(src).unwrap();
        let top = items(&e.kind);
        let first = top.and_then(|v| v.first()).and_then(|f| items(&f.kind));
        (top.map(<[Expr]>::len), first.map(<[Expr]>::len))
    }

    #[test]
    fn and_or_chains_are_flattened() {
        assert_eq!(shape("a || b || c || d"), (Some(4), None));
        assert_eq!(shape("a and b && c"), (Some(3), None));
        // A chain of the other operator is an item, not merged.
        assert_eq!(shape("a && b && c || d"), (Some(2), Some(3)));
        assert_eq!(shape("(a || b) && c"), (Some(2), Some(2)));
        let e = parse("a || b || c || d").unwrap();
        assert!(matches!(e.kind, Kind::Or(_)));
        assert_eq!((e.pos, e.height), (2, 2));
    }
}
