//! Tree-walking evaluator. Recursion depth is bounded by the AST height the
//! parser enforces; running time by the step budget, which is charged per
//! node and additionally per element or kilobyte for work proportional to
//! input size (membership scans, equality of arrays, string building).

use crate::ast::{BinOp, Expr, Func, Kind, Method, UnOp};
use crate::limits::{MAX_ARRAY_LEN, MAX_STEPS, MAX_STRING_BYTES, MAX_VALUE_DEPTH};
use crate::value::{fmt_float, Num, Val};
use crate::{date, Env, EvalErrorKind};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::rc::Rc;

pub(crate) struct Fail {
    pub kind: EvalErrorKind,
    pub msg: String,
    pub pos: u32,
}

type R<T> = Result<T, Fail>;

fn fail<T>(kind: EvalErrorKind, msg: impl Into<String>, pos: u32) -> R<T> {
    Err(Fail {
        kind,
        msg: msg.into(),
        pos,
    })
}

fn type_err<T>(msg: impl Into<String>, pos: u32) -> R<T> {
    fail(EvalErrorKind::Type, msg, pos)
}

/// The error for a produced string over [`MAX_STRING_BYTES`].
fn string_too_long<T>(pos: u32) -> R<T> {
    fail(
        EvalErrorKind::Limit,
        format!("string result too long (limit {MAX_STRING_BYTES} bytes)"),
        pos,
    )
}

pub(crate) struct Evaluator<'a> {
    env: &'a dyn Env,
    steps: usize,
    /// `now()` is read once per evaluation so one expression sees one instant.
    now: Option<i64>,
}

impl<'a> Evaluator<'a> {
    pub fn new(env: &'a dyn Env) -> Self {
        Evaluator {
            env,
            steps: 0,
            now: None,
        }
    }

    fn tick(&mut self, n: usize, pos: u32) -> R<()> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > MAX_STEPS {
            return fail(
                EvalErrorKind::Limit,
                format!("evaluation step budget exceeded (limit {MAX_STEPS})"),
                pos,
            );
        }
        Ok(())
    }

    /// Work proportional to text length: one step per KiB.
    fn tick_bytes(&mut self, n: usize, pos: u32) -> R<()> {
        self.tick(n / 1024, pos)
    }

    fn now(&mut self) -> i64 {
        *self.now.get_or_insert_with(date::now_ms)
    }

    fn string(&mut self, s: String, pos: u32) -> R<Val<'a>> {
        if s.len() > MAX_STRING_BYTES {
            return string_too_long(pos);
        }
        self.tick_bytes(s.len(), pos)?;
        Ok(Val::OStr(Rc::from(s)))
    }

    pub fn eval(&mut self, e: &'a Expr) -> R<Val<'a>> {
        self.tick(1, e.pos)?;
        match &e.kind {
            Kind::Null => Ok(Val::Null),
            Kind::Bool(b) => Ok(Val::Bool(*b)),
            Kind::Int(i) => Ok(Val::Int(*i)),
            Kind::Float(f) => Ok(Val::Float(*f)),
            Kind::Str(s) => Ok(Val::Str(s)),
            Kind::Var(name) => Ok(self.env.lookup(name).map_or(Val::Null, Val::from_json)),
            Kind::Member(obj, name) => {
                let o = self.eval(obj)?;
                self.member(o, name, e.pos)
            }
            Kind::Index(obj, idx) => {
                let o = self.eval(obj)?;
                let i = self.eval(idx)?;
                index(o, i, e.pos)
            }
            Kind::Unary(op, a) => {
                let v = self.eval(a)?;
                unary(*op, v, e.pos)
            }
            Kind::Binary(op, a, b) => self.eval_binary(*op, a, b, e.pos),
            Kind::And(items) => {
                for x in items {
                    if !self.eval(x)?.truthy() {
                        return Ok(Val::Bool(false));
                    }
                }
                Ok(Val::Bool(true))
            }
            Kind::Or(items) => {
                for x in items {
                    if self.eval(x)?.truthy() {
                        return Ok(Val::Bool(true));
                    }
                }
                Ok(Val::Bool(false))
            }
            Kind::Coalesce(a, b) => match self.eval(a)? {
                Val::Null => self.eval(b),
                v => Ok(v),
            },
            Kind::Cond(c, t, f) => {
                if self.eval(c)?.truthy() {
                    self.eval(t)
                } else {
                    self.eval(f)
                }
            }
            Kind::Call(func, args) => self.call(*func, args, e.pos),
            Kind::Method(recv, m, args) => self.method(recv, m, args, e.pos),
            Kind::MatchesLit(a, re) => self.matches_lit(a, re, e.pos),
            Kind::Array(items) => self.array(items),
            Kind::Object(fields) => self.object(fields),
            Kind::NewDate(arg) => self.new_date(arg.as_deref()),
        }
    }

    // The arms below live in their own functions so that `eval`, which is on
    // every level of recursion, keeps a small stack frame in debug builds.

    #[inline(never)]
    fn matches_lit(&mut self, a: &'a Expr, re: &regex::Regex, pos: u32) -> R<Val<'a>> {
        let v = self.eval(a)?;
        match v.as_str() {
            Some(s) => {
                self.tick(s.len() / 256, pos)?;
                Ok(Val::Bool(re.is_match(s)))
            }
            None if matches!(v, Val::Null) => Ok(Val::Bool(false)),
            None => type_err(
                format!("matches expects a string, got {}", v.type_name()),
                pos,
            ),
        }
    }

    #[inline(never)]
    fn array(&mut self, items: &'a [Expr]) -> R<Val<'a>> {
        let mut out = Vec::with_capacity(items.len());
        for x in items {
            out.push(self.eval(x)?);
        }
        Ok(Val::Arr(out.into()))
    }

    #[inline(never)]
    fn object(&mut self, fields: &'a [(Box<str>, Expr)]) -> R<Val<'a>> {
        let mut out = Vec::with_capacity(fields.len());
        for (k, x) in fields {
            out.push((&**k, self.eval(x)?));
        }
        Ok(Val::Obj(out.into()))
    }

    #[inline(never)]
    fn new_date(&mut self, arg: Option<&'a Expr>) -> R<Val<'a>> {
        let Some(arg) = arg else {
            return Ok(Val::Date(Some(self.now())));
        };
        Ok(Val::Date(match self.eval(arg)? {
            Val::Int(i) => date::from_number(i as f64),
            Val::Float(f) => date::from_number(f),
            Val::Str(s) => date::parse(s),
            Val::OStr(s) => date::parse(&s),
            Val::Date(d) => d,
            _ => None,
        }))
    }

    #[inline(never)]
    fn member(&mut self, o: Val<'a>, name: &str, pos: u32) -> R<Val<'a>> {
        if let Some(obj) = o.as_obj() {
            return Ok(obj.get(name).unwrap_or(Val::Null));
        }
        match (&o, name) {
            (Val::Null, _) => Ok(Val::Null),
            (Val::Str(_) | Val::OStr(_), "length") => {
                let s = o.as_str().unwrap_or("");
                self.tick_bytes(s.len(), pos)?;
                Ok(Val::Int(s.chars().count() as i64))
            }
            (_, "length") if o.as_arr().is_some() => {
                Ok(Val::Int(o.as_arr().map_or(0, |a| a.len()) as i64))
            }
            _ => type_err(format!("cannot access {name} on {}", o.type_name()), pos),
        }
    }

    fn eval_binary(&mut self, op: BinOp, a: &'a Expr, b: &'a Expr, pos: u32) -> R<Val<'a>> {
        let l = self.eval(a)?;
        let r = self.eval(b)?;
        self.binary(op, l, r, pos)
    }

    fn binary(&mut self, op: BinOp, l: Val<'a>, r: Val<'a>, pos: u32) -> R<Val<'a>> {
        let b = match op {
            BinOp::Eq => self.eq(&l, &r, 0, pos)?,
            BinOp::Ne => !self.eq(&l, &r, 0, pos)?,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => compare(op, &l, &r, pos)?,
            BinOp::In => self.in_op(&l, &r, pos)?,
            BinOp::NotIn => !self.in_op(&l, &r, pos)?,
            BinOp::Contains => self.contains(&l, &r, pos)?,
            BinOp::StartsWith | BinOp::EndsWith => affix(op, &l, &r, pos)?,
            BinOp::Matches => self.matches_dyn(&l, &r, pos)?,
            BinOp::Add => return self.add(l, r, pos),
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => {
                return arith(op, &l, &r, pos)
            }
        };
        Ok(Val::Bool(b))
    }

    fn eq(&mut self, a: &Val<'a>, b: &Val<'a>, depth: usize, pos: u32) -> R<bool> {
        if depth > MAX_VALUE_DEPTH {
            return fail(
                EvalErrorKind::Limit,
                "values nested too deeply to compare",
                pos,
            );
        }
        if let (Some(x), Some(y)) = (a.as_number(), b.as_number()) {
            return Ok(num_eq(x, y));
        }
        if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
            self.tick_bytes(x.len().min(y.len()), pos)?;
            return Ok(x == y);
        }
        Ok(match (a, b) {
            (Val::Null, Val::Null) => true,
            (Val::Bool(x), Val::Bool(y)) => x == y,
            (Val::Date(x), Val::Date(y)) => x.is_some() && x == y,
            (Val::Int(_) | Val::Float(_), Val::Str(_) | Val::OStr(_))
            | (Val::Str(_) | Val::OStr(_), Val::Int(_) | Val::Float(_)) => {
                match (a.num_view(), b.num_view()) {
                    (Some(x), Some(y)) => num_eq(x, y),
                    _ => false,
                }
            }
            _ => {
                if let (Some(x), Some(y)) = (a.as_arr(), b.as_arr()) {
                    if x.len() != y.len() {
                        return Ok(false);
                    }
                    for i in 0..x.len() {
                        self.tick(1, pos)?;
                        let (Some(p), Some(q)) = (x.get(i), y.get(i)) else {
                            return Ok(false);
                        };
                        if !self.eq(&p, &q, depth + 1, pos)? {
                            return Ok(false);
                        }
                    }
                    return Ok(true);
                }
                if let (Some(x), Some(y)) = (a.as_obj(), b.as_obj()) {
                    if x.len() != y.len() {
                        return Ok(false);
                    }
                    let mut result: R<bool> = Ok(true);
                    x.for_each(&mut |k, v| {
                        let r = match y.get(k) {
                            None => Ok(false),
                            Some(w) => self
                                .tick(1, pos)
                                .and_then(|_| self.eq(&v, &w, depth + 1, pos)),
                        };
                        let keep_going = matches!(r, Ok(true));
                        result = r;
                        keep_going
                    });
                    return result;
                }
                false
            }
        })
    }

    fn in_op(&mut self, l: &Val<'a>, r: &Val<'a>, pos: u32) -> R<bool> {
        if matches!(r, Val::Null) {
            return Ok(false);
        }
        if let Some(arr) = r.as_arr() {
            for i in 0..arr.len() {
                self.tick(1, pos)?;
                if let Some(x) = arr.get(i) {
                    if self.eq(l, &x, 0, pos)? {
                        return Ok(true);
                    }
                }
            }
            return Ok(false);
        }
        if let Some(obj) = r.as_obj() {
            return Ok(match l {
                Val::Int(i) => obj.contains_key(&i.to_string()),
                Val::Float(f) => obj.contains_key(&fmt_float(*f)),
                _ => l.as_str().is_some_and(|k| obj.contains_key(k)),
            });
        }
        if let Some(hay) = r.as_str() {
            return self.substring(hay, l, pos, || {
                format!("cannot use in with {} and string", l.type_name())
            });
        }
        type_err(format!("cannot use in on {}", r.type_name()), pos)
    }

    fn contains(&mut self, a: &Val<'a>, b: &Val<'a>, pos: u32) -> R<bool> {
        if matches!(a, Val::Null) {
            return Ok(false);
        }
        if let Some(hay) = a.as_str() {
            return self.substring(hay, b, pos, || {
                format!("contains expects a string argument, got {}", b.type_name())
            });
        }
        if a.as_arr().is_some() {
            return self.in_op(b, a, pos);
        }
        type_err(format!("cannot use contains on {}", a.type_name()), pos)
    }

    /// Whether `needle`, which must be a string too (else a type error with
    /// the message `mismatch` gives), occurs in `hay`.
    fn substring(
        &mut self,
        hay: &str,
        needle: &Val<'a>,
        pos: u32,
        mismatch: impl FnOnce() -> String,
    ) -> R<bool> {
        let Some(needle) = needle.as_str() else {
            return type_err(mismatch(), pos);
        };
        self.tick_bytes(hay.len(), pos)?;
        Ok(hay.contains(needle))
    }

    fn matches_dyn(&mut self, a: &Val<'a>, b: &Val<'a>, pos: u32) -> R<bool> {
        if matches!(a, Val::Null) {
            return Ok(false);
        }
        let (Some(s), Some(pat)) = (a.as_str(), b.as_str()) else {
            return type_err(
                format!(
                    "matches expects strings, got {} and {}",
                    a.type_name(),
                    b.type_name()
                ),
                pos,
            );
        };
        if pat.len() > crate::limits::MAX_SOURCE_LEN {
            return fail(EvalErrorKind::Limit, "regular expression too long", pos);
        }
        // Compiling is the expensive part of a dynamic pattern; charge for it.
        self.tick(10 + pat.len() / 4 + s.len() / 256, pos)?;
        let re = crate::parser::build_regex(pat).map_err(|m| Fail {
            kind: EvalErrorKind::Regex,
            msg: m,
            pos,
        })?;
        Ok(re.is_match(s))
    }

    fn add(&mut self, l: Val<'a>, r: Val<'a>, pos: u32) -> R<Val<'a>> {
        if let (Some(x), Some(y)) = (l.as_number(), r.as_number()) {
            return num_result(num_add(x, y), pos);
        }
        if let (Some(x), Some(y)) = (l.as_str(), r.as_str()) {
            return self.concat(x, y, pos);
        }
        match (&l, &r) {
            (Val::Int(_) | Val::Float(_), Val::Str(_) | Val::OStr(_))
            | (Val::Str(_) | Val::OStr(_), Val::Int(_) | Val::Float(_)) => {
                if let (Some(x), Some(y)) = (l.num_view(), r.num_view()) {
                    return num_result(num_add(x, y), pos);
                }
                let (a, b) = (scalar_text(&l), scalar_text(&r));
                return self.concat(&a, &b, pos);
            }
            (Val::Bool(_), Val::Str(_) | Val::OStr(_))
            | (Val::Str(_) | Val::OStr(_), Val::Bool(_))
                if l.num_view().is_none() && r.num_view().is_none() =>
            {
                let (a, b) = (scalar_text(&l), scalar_text(&r));
                return self.concat(&a, &b, pos);
            }
            _ => {}
        }
        if let (Some(x), Some(y)) = (l.as_arr(), r.as_arr()) {
            let n = x.len() + y.len();
            if n > MAX_ARRAY_LEN {
                return fail(
                    EvalErrorKind::Limit,
                    format!("array result too long (limit {MAX_ARRAY_LEN} elements)"),
                    pos,
                );
            }
            self.tick(n, pos)?;
            let mut out = Vec::with_capacity(n);
            out.extend((0..x.len()).filter_map(|i| x.get(i)));
            out.extend((0..y.len()).filter_map(|i| y.get(i)));
            return Ok(Val::Arr(out.into()));
        }
        type_err(
            format!("invalid operation: {} + {}", l.type_name(), r.type_name()),
            pos,
        )
    }

    fn concat(&mut self, a: &str, b: &str, pos: u32) -> R<Val<'a>> {
        if a.len() + b.len() > MAX_STRING_BYTES {
            return string_too_long(pos);
        }
        let mut s = String::with_capacity(a.len() + b.len());
        s.push_str(a);
        s.push_str(b);
        self.string(s, pos)
    }

    #[inline(never)]
    fn call(&mut self, func: Func, args: &'a [Expr], pos: u32) -> R<Val<'a>> {
        if func == Func::Now {
            return Ok(Val::Date(Some(self.now())));
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        let first = vals.first().cloned().unwrap_or(Val::Null);
        let second = vals.get(1).cloned().unwrap_or(Val::Null);
        match func {
            Func::Len => {
                if let Some(s) = first.as_str() {
                    self.tick_bytes(s.len(), pos)?;
                    return Ok(Val::Int(s.chars().count() as i64));
                }
                if let Some(a) = first.as_arr() {
                    return Ok(Val::Int(a.len() as i64));
                }
                if let Some(o) = first.as_obj() {
                    return Ok(Val::Int(o.len() as i64));
                }
                match first {
                    Val::Null => Ok(Val::Int(0)),
                    v => type_err(format!("invalid argument for len: {}", v.type_name()), pos),
                }
            }
            Func::Abs => match first.num_view() {
                Some(Num::I(i)) => num_result(
                    i.checked_abs().map_or(Num::F((i as f64).abs()), Num::I),
                    pos,
                ),
                Some(Num::F(f)) => Ok(Val::Float(f.abs())),
                None => type_err(
                    format!("invalid argument for abs: {}", first.type_name()),
                    pos,
                ),
            },
            Func::Lower | Func::Upper | Func::Trim => {
                if matches!(first, Val::Null) {
                    return Ok(Val::Null);
                }
                let text = self.text(&first, pos)?;
                self.text_func(func, &text, pos)
            }
            Func::Contains => Ok(Val::Bool(self.contains(&first, &second, pos)?)),
            Func::StartsWith => Ok(Val::Bool(affix(BinOp::StartsWith, &first, &second, pos)?)),
            Func::EndsWith => Ok(Val::Bool(affix(BinOp::EndsWith, &first, &second, pos)?)),
            Func::Matches => Ok(Val::Bool(self.matches_dyn(&first, &second, pos)?)),
            Func::String => {
                if let Val::Str(_) | Val::OStr(_) = first {
                    return Ok(first);
                }
                let text = self.text(&first, pos)?.into_owned();
                self.string(text, pos)
            }
            Func::Number => match first.num_view() {
                Some(n) => Ok(n.val()),
                None => type_err(
                    format!("cannot convert {} to number", first.type_name()),
                    pos,
                ),
            },
            Func::Int => match first.num_view() {
                Some(Num::I(i)) => Ok(Val::Int(i)),
                Some(Num::F(f)) if f.abs() < 9.2e18 => Ok(Val::Int(f.trunc() as i64)),
                Some(Num::F(_)) => fail(EvalErrorKind::Arithmetic, "numeric overflow", pos),
                None => type_err(format!("cannot convert {} to int", first.type_name()), pos),
            },
            Func::Now => Ok(Val::Date(Some(self.now()))),
        }
    }

    #[inline(never)]
    fn method(&mut self, recv: &'a Expr, m: &Method, args: &'a [Expr], pos: u32) -> R<Val<'a>> {
        let r = self.eval(recv)?;
        if matches!(r, Val::Null) {
            return Ok(Val::Null);
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        let arg = vals.first().cloned().unwrap_or(Val::Null);
        let wrong_recv = |r: &Val<'_>| {
            type_err(
                format!("cannot call {} on {}", m.name(), r.type_name()),
                pos,
            )
        };
        match m {
            Method::Includes => {
                if r.as_str().is_none() && r.as_arr().is_none() {
                    return wrong_recv(&r);
                }
                Ok(Val::Bool(self.contains(&r, &arg, pos)?))
            }
            Method::StartsWith | Method::EndsWith => {
                if r.as_str().is_none() {
                    return wrong_recv(&r);
                }
                let op = if *m == Method::StartsWith {
                    BinOp::StartsWith
                } else {
                    BinOp::EndsWith
                };
                Ok(Val::Bool(affix(op, &r, &arg, pos)?))
            }
            Method::ToLowerCase | Method::ToUpperCase | Method::Trim => {
                let Some(s) = r.as_str() else {
                    return wrong_recv(&r);
                };
                let func = match m {
                    Method::ToLowerCase => Func::Lower,
                    Method::ToUpperCase => Func::Upper,
                    _ => Func::Trim,
                };
                self.text_func(func, s, pos)
            }
            Method::Unknown(name) => fail(
                EvalErrorKind::UnknownMethod,
                format!("unknown method {name}"),
                pos,
            ),
        }
    }

    /// `lower()`, `upper()` or `trim()` (`func`) of `s`; the methods
    /// `toLowerCase()`, `toUpperCase()` and `trim()` share it.
    fn text_func(&mut self, func: Func, s: &str, pos: u32) -> R<Val<'a>> {
        self.tick_bytes(s.len(), pos)?;
        let out = match func {
            Func::Lower => s.to_lowercase(),
            Func::Upper => s.to_uppercase(),
            _ => s.trim().to_string(),
        };
        self.string(out, pos)
    }

    /// Text form used by `string()`, `lower()` & co.
    fn text<'v>(&mut self, v: &'v Val<'a>, pos: u32) -> R<Cow<'v, str>> {
        Ok(match v {
            Val::Null => Cow::Borrowed(""),
            Val::Str(s) => Cow::Borrowed(s),
            Val::OStr(s) => Cow::Borrowed(s),
            Val::Date(None) => Cow::Borrowed("Invalid Date"),
            Val::Bool(_) | Val::Int(_) | Val::Float(_) | Val::Date(Some(_)) => {
                Cow::Owned(scalar_text(v).into_owned())
            }
            _ => {
                let mut out = String::new();
                self.write_json(v, &mut out, 0, pos)?;
                Cow::Owned(out)
            }
        })
    }

    fn write_json(&mut self, v: &Val<'a>, out: &mut String, depth: usize, pos: u32) -> R<()> {
        if depth > MAX_VALUE_DEPTH {
            return fail(EvalErrorKind::Limit, "value nested too deeply", pos);
        }
        if out.len() > MAX_STRING_BYTES {
            return string_too_long(pos);
        }
        self.tick(1, pos)?;
        if let Some(a) = v.as_arr() {
            out.push('[');
            for i in 0..a.len() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(x) = a.get(i) {
                    self.write_json(&x, out, depth + 1, pos)?;
                }
            }
            out.push(']');
            return Ok(());
        }
        if let Some(o) = v.as_obj() {
            out.push('{');
            let mut first = true;
            let mut result = Ok(());
            o.for_each(&mut |k, x| {
                if !first {
                    out.push(',');
                }
                first = false;
                push_json_str(out, k);
                out.push(':');
                result = self.write_json(&x, out, depth + 1, pos);
                result.is_ok()
            });
            result?;
            out.push('}');
            return Ok(());
        }
        match v {
            Val::Null | Val::Date(None) => out.push_str("null"),
            Val::Date(Some(ms)) => push_json_str(out, &date::format(*ms)),
            _ => match v.as_str() {
                Some(s) if out.len() + s.len() > MAX_STRING_BYTES => {
                    return string_too_long(pos);
                }
                Some(s) => {
                    self.tick_bytes(s.len(), pos)?;
                    push_json_str(out, s)
                }
                None => out.push_str(&scalar_text(v)),
            },
        }
        Ok(())
    }
}

fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    // A plain byte loop copying unescaped runs: strings here can be large,
    // and the bytes that need escaping are all ASCII, so every split point is
    // a char boundary.
    for (i, &c) in s.as_bytes().iter().enumerate() {
        if c == b'"' || c == b'\\' || c < 0x20 {
            out.push_str(&s[start..i]);
            match c {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                c => out.push_str(&format!("\\u{c:04x}")),
            }
            start = i + 1;
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Text of a scalar for concatenation and `string()`.
fn scalar_text<'v>(v: &'v Val<'_>) -> Cow<'v, str> {
    match v {
        Val::Bool(true) => Cow::Borrowed("true"),
        Val::Bool(false) => Cow::Borrowed("false"),
        Val::Int(i) => Cow::Owned(i.to_string()),
        Val::Float(f) => Cow::Owned(fmt_float(*f)),
        Val::Str(s) => Cow::Borrowed(s),
        Val::OStr(s) => Cow::Borrowed(s),
        Val::Date(Some(ms)) => Cow::Owned(date::format(*ms)),
        Val::Date(None) => Cow::Borrowed("Invalid Date"),
        _ => Cow::Borrowed(""),
    }
}

fn index<'a>(o: Val<'a>, i: Val<'a>, pos: u32) -> R<Val<'a>> {
    if matches!(o, Val::Null) {
        return Ok(Val::Null);
    }
    if let Some(arr) = o.as_arr() {
        let idx = match i {
            Val::Int(n) => n,
            Val::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => f as i64,
            other => {
                return type_err(
                    format!("array index must be an integer, got {}", other.type_name()),
                    pos,
                )
            }
        };
        let len = arr.len() as i64;
        let real = if idx < 0 { idx + len } else { idx };
        if real < 0 || real >= len {
            return Ok(Val::Null);
        }
        return Ok(arr.get(real as usize).unwrap_or(Val::Null));
    }
    if let Some(obj) = o.as_obj() {
        let key: Cow<'_, str> = match &i {
            Val::Int(n) => Cow::Owned(n.to_string()),
            Val::Float(f) => Cow::Owned(fmt_float(*f)),
            Val::Null => return Ok(Val::Null),
            other => match other.as_str() {
                Some(s) => Cow::Borrowed(s),
                None => {
                    return type_err(
                        format!("object key must be a string, got {}", other.type_name()),
                        pos,
                    )
                }
            },
        };
        return Ok(obj.get(&key).unwrap_or(Val::Null));
    }
    let name = match &i {
        Val::Int(n) => n.to_string(),
        other => other
            .as_str()
            .map_or_else(|| other.type_name().to_string(), str::to_string),
    };
    type_err(format!("cannot access {name} on {}", o.type_name()), pos)
}

fn unary<'a>(op: UnOp, v: Val<'a>, pos: u32) -> R<Val<'a>> {
    match op {
        UnOp::Not => Ok(Val::Bool(!v.truthy())),
        UnOp::Neg => match v.num_view() {
            Some(Num::I(i)) => Ok(i.checked_neg().map_or(Val::Float(-(i as f64)), Val::Int)),
            Some(Num::F(f)) => Ok(Val::Float(-f)),
            None => type_err(format!("invalid operation: -{}", v.type_name()), pos),
        },
        UnOp::Plus => match v.num_view() {
            Some(n) => Ok(n.val()),
            None => type_err(format!("invalid operation: +{}", v.type_name()), pos),
        },
    }
}

fn num_eq(a: Num, b: Num) -> bool {
    match (a, b) {
        (Num::I(x), Num::I(y)) => x == y,
        _ => a.f() == b.f(),
    }
}

fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => Some(x.cmp(&y)),
        _ => a.f().partial_cmp(&b.f()),
    }
}

fn compare(op: BinOp, l: &Val<'_>, r: &Val<'_>, pos: u32) -> R<bool> {
    if matches!(l, Val::Null) || matches!(r, Val::Null) {
        return type_err("cannot compare null", pos);
    }
    let ord = match (l.as_number(), r.as_number(), l.as_str(), r.as_str()) {
        (Some(x), Some(y), _, _) => num_cmp(x, y),
        (Some(x), None, _, Some(_)) => match r.num_view() {
            Some(y) => num_cmp(x, y),
            None => return type_err("cannot compare number and string", pos),
        },
        (None, Some(y), Some(_), _) => match l.num_view() {
            Some(x) => num_cmp(x, y),
            None => return type_err("cannot compare string and number", pos),
        },
        (_, _, Some(x), Some(y)) => Some(x.cmp(y)),
        _ => match (l, r) {
            (Val::Date(Some(x)), Val::Date(Some(y))) => Some(x.cmp(y)),
            // JavaScript: any comparison with an invalid date is false.
            (Val::Date(_), Val::Date(_)) => None,
            _ => {
                return type_err(
                    format!("cannot compare {} and {}", l.type_name(), r.type_name()),
                    pos,
                )
            }
        },
    };
    Ok(match ord {
        None => false,
        Some(o) => match op {
            BinOp::Lt => o == Ordering::Less,
            BinOp::Le => o != Ordering::Greater,
            BinOp::Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        },
    })
}

fn affix(op: BinOp, a: &Val<'_>, b: &Val<'_>, pos: u32) -> R<bool> {
    if matches!(a, Val::Null) {
        return Ok(false);
    }
    match (a.as_str(), b.as_str()) {
        (Some(s), Some(p)) => Ok(if op == BinOp::StartsWith {
            s.starts_with(p)
        } else {
            s.ends_with(p)
        }),
        _ => type_err(
            format!(
                "{} expects strings, got {} and {}",
                op.symbol(),
                a.type_name(),
                b.type_name()
            ),
            pos,
        ),
    }
}

fn num_add(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::I(x), Num::I(y)) => x.checked_add(y).map_or(Num::F(x as f64 + y as f64), Num::I),
        _ => Num::F(a.f() + b.f()),
    }
}

fn num_result<'a>(n: Num, pos: u32) -> R<Val<'a>> {
    match n {
        Num::F(f) if !f.is_finite() => fail(EvalErrorKind::Arithmetic, "numeric overflow", pos),
        n => Ok(n.val()),
    }
}

fn as_integral(n: Num) -> Option<i64> {
    match n {
        Num::I(i) => Some(i),
        Num::F(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(f as i64),
        Num::F(_) => None,
    }
}

fn arith<'a>(op: BinOp, l: &Val<'a>, r: &Val<'a>, pos: u32) -> R<Val<'a>> {
    let (Some(x), Some(y)) = (l.num_view(), r.num_view()) else {
        return type_err(
            format!(
                "invalid operation: {} {} {}",
                l.type_name(),
                op.symbol(),
                r.type_name()
            ),
            pos,
        );
    };
    let n = match op {
        BinOp::Sub => match (x, y) {
            (Num::I(a), Num::I(b)) => a.checked_sub(b).map_or(Num::F(a as f64 - b as f64), Num::I),
            _ => Num::F(x.f() - y.f()),
        },
        BinOp::Mul => match (x, y) {
            (Num::I(a), Num::I(b)) => a.checked_mul(b).map_or(Num::F(a as f64 * b as f64), Num::I),
            _ => Num::F(x.f() * y.f()),
        },
        BinOp::Div => {
            if y.f() == 0.0 {
                return fail(EvalErrorKind::Arithmetic, "division by zero", pos);
            }
            Num::F(x.f() / y.f())
        }
        BinOp::Mod => {
            let (Some(a), Some(b)) = (as_integral(x), as_integral(y)) else {
                return type_err("% requires integer operands", pos);
            };
            if b == 0 {
                return fail(EvalErrorKind::Arithmetic, "division by zero", pos);
            }
            Num::I(a.wrapping_rem(b))
        }
        _ => Num::F(x.f().powf(y.f())),
    };
    num_result(n, pos)
}
