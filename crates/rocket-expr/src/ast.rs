use regex::Regex;

#[derive(Debug)]
pub(crate) struct Expr {
    pub kind: Kind,
    /// Byte offset of the token that introduced the node; evaluation errors
    /// point here.
    pub pos: u32,
    /// Height of the subtree, tracked so the evaluator's recursion is bounded
    /// even for left-deep chains the parser builds iteratively.
    pub height: u16,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Box<str>),
    Var(Box<str>),
    Member(Box<Expr>, Box<str>),
    Index(Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Flattened `&&` / `||` chains: long `a == 1 || a == 2 || …` lists stay
    /// shallow.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Coalesce(Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
    Method(Box<Expr>, Method, Vec<Expr>),
    /// `matches` with a literal pattern, compiled once at compile time.
    MatchesLit(Box<Expr>, Box<Regex>),
    Array(Vec<Expr>),
    Object(Vec<(Box<str>, Expr)>),
    NewDate(Option<Box<Expr>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnOp {
    Not,
    Neg,
    Plus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    Matches,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Contains => "contains",
            BinOp::StartsWith => "startsWith",
            BinOp::EndsWith => "endsWith",
            BinOp::Matches => "matches",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Len,
    Abs,
    Lower,
    Upper,
    Trim,
    Contains,
    StartsWith,
    EndsWith,
    Matches,
    String,
    Number,
    Int,
    Now,
}

impl Func {
    pub fn lookup(name: &str) -> Option<(Func, usize)> {
        Some(match name {
            "len" => (Func::Len, 1),
            "abs" => (Func::Abs, 1),
            "lower" => (Func::Lower, 1),
            "upper" => (Func::Upper, 1),
            "trim" => (Func::Trim, 1),
            "contains" => (Func::Contains, 2),
            "startsWith" => (Func::StartsWith, 2),
            "endsWith" => (Func::EndsWith, 2),
            "matches" => (Func::Matches, 2),
            "string" => (Func::String, 1),
            "number" => (Func::Number, 1),
            "int" => (Func::Int, 1),
            "now" => (Func::Now, 0),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Method {
    /// `includes` and `contains`.
    Includes,
    StartsWith,
    EndsWith,
    ToLowerCase,
    ToUpperCase,
    Trim,
    /// Unknown names are an evaluation error (spec §3.7), not a compile error,
    /// because a call on `null` still yields `null`.
    Unknown(Box<str>),
}

impl Method {
    pub fn lookup(name: &str) -> (Method, Option<usize>) {
        match name {
            "includes" | "contains" => (Method::Includes, Some(1)),
            "startsWith" => (Method::StartsWith, Some(1)),
            "endsWith" => (Method::EndsWith, Some(1)),
            "toLowerCase" => (Method::ToLowerCase, Some(0)),
            "toUpperCase" => (Method::ToUpperCase, Some(0)),
            "trim" => (Method::Trim, Some(0)),
            _ => (Method::Unknown(name.into()), None),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Method::Includes => "includes",
            Method::StartsWith => "startsWith",
            Method::EndsWith => "endsWith",
            Method::ToLowerCase => "toLowerCase",
            Method::ToUpperCase => "toUpperCase",
            Method::Trim => "trim",
            Method::Unknown(n) => n,
        }
    }
}

impl Expr {
    /// Visits every variable reference (for the static check).
    pub fn for_each_var(&self, f: &mut dyn FnMut(&str, u32)) {
        match &self.kind {
            Kind::Var(name) => f(name, self.pos),
            Kind::Null | Kind::Bool(_) | Kind::Int(_) | Kind::Float(_) | Kind::Str(_) => {}
            Kind::Member(a, _) | Kind::Unary(_, a) | Kind::MatchesLit(a, _) => a.for_each_var(f),
            Kind::Index(a, b) | Kind::Binary(_, a, b) | Kind::Coalesce(a, b) => {
                a.for_each_var(f);
                b.for_each_var(f);
            }
            Kind::Cond(a, b, c) => {
                a.for_each_var(f);
                b.for_each_var(f);
                c.for_each_var(f);
            }
            Kind::And(v) | Kind::Or(v) | Kind::Array(v) | Kind::Call(_, v) => {
                v.iter().for_each(|e| e.for_each_var(f));
            }
            Kind::Method(r, _, v) => {
                r.for_each_var(f);
                v.iter().for_each(|e| e.for_each_var(f));
            }
            Kind::Object(v) => v.iter().for_each(|(_, e)| e.for_each_var(f)),
            Kind::NewDate(a) => {
                if let Some(a) = a {
                    a.for_each_var(f);
                }
            }
        }
    }
}
