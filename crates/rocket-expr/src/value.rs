//! The evaluator's value type. It borrows from the JSON context and from the
//! program's literals, so reading `record.status` copies nothing; only values
//! the expression computes (concatenations, literals arrays, …) own memory,
//! behind `Rc` so that passing them around stays cheap.

use serde_json::{Map, Number, Value};
use std::rc::Rc;

#[derive(Debug, Clone)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    OStr(Rc<str>),
    JArr(&'a [Value]),
    JObj(&'a Map<String, Value>),
    Arr(Rc<[Val<'a>]>),
    Obj(Rc<[(&'a str, Val<'a>)]>),
    /// Milliseconds since the epoch; `None` is JavaScript's invalid date.
    Date(Option<i64>),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Num {
    I(i64),
    F(f64),
}

impl Num {
    pub fn f(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }

    pub fn val<'a>(self) -> Val<'a> {
        match self {
            Num::I(i) => Val::Int(i),
            Num::F(f) => Val::Float(f),
        }
    }
}

/// Uniform read access to the two array representations.
pub(crate) enum ArrRef<'b, 'a> {
    J(&'a [Value]),
    V(&'b [Val<'a>]),
}

impl<'a> ArrRef<'_, 'a> {
    pub fn len(&self) -> usize {
        match self {
            ArrRef::J(a) => a.len(),
            ArrRef::V(a) => a.len(),
        }
    }

    pub fn get(&self, i: usize) -> Option<Val<'a>> {
        match self {
            ArrRef::J(a) => a.get(i).map(Val::from_json),
            ArrRef::V(a) => a.get(i).cloned(),
        }
    }
}

pub(crate) enum ObjRef<'b, 'a> {
    J(&'a Map<String, Value>),
    V(&'b [(&'a str, Val<'a>)]),
}

impl<'a> ObjRef<'_, 'a> {
    pub fn len(&self) -> usize {
        match self {
            ObjRef::J(m) => m.len(),
            ObjRef::V(m) => m.len(),
        }
    }

    pub fn get(&self, k: &str) -> Option<Val<'a>> {
        match self {
            ObjRef::J(m) => m.get(k).map(Val::from_json),
            ObjRef::V(m) => m.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone()),
        }
    }

    pub fn contains_key(&self, k: &str) -> bool {
        match self {
            ObjRef::J(m) => m.contains_key(k),
            ObjRef::V(m) => m.iter().any(|(key, _)| *key == k),
        }
    }

    pub fn for_each(&self, f: &mut dyn FnMut(&str, Val<'a>) -> bool) -> bool {
        match self {
            ObjRef::J(m) => m.iter().all(|(k, v)| f(k, Val::from_json(v))),
            ObjRef::V(m) => m.iter().all(|(k, v)| f(k, v.clone())),
        }
    }
}

impl<'a> Val<'a> {
    pub fn from_json(v: &'a Value) -> Val<'a> {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Val::Int(i),
                None => Val::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Val::Str(s),
            Value::Array(a) => Val::JArr(a),
            Value::Object(m) => Val::JObj(m),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "bool",
            Val::Int(_) | Val::Float(_) => "number",
            Val::Str(_) | Val::OStr(_) => "string",
            Val::JArr(_) | Val::Arr(_) => "array",
            Val::JObj(_) | Val::Obj(_) => "object",
            Val::Date(_) => "date",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            Val::OStr(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_arr(&self) -> Option<ArrRef<'_, 'a>> {
        match self {
            Val::JArr(a) => Some(ArrRef::J(a)),
            Val::Arr(a) => Some(ArrRef::V(a)),
            _ => None,
        }
    }

    pub fn as_obj(&self) -> Option<ObjRef<'_, 'a>> {
        match self {
            Val::JObj(m) => Some(ObjRef::J(m)),
            Val::Obj(m) => Some(ObjRef::V(m)),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<Num> {
        match self {
            Val::Int(i) => Some(Num::I(*i)),
            Val::Float(f) => Some(Num::F(*f)),
            _ => None,
        }
    }

    /// The numeric view of spec §3.4: numbers, and strings holding a decimal literal.
    pub fn num_view(&self) -> Option<Num> {
        match self {
            Val::Int(i) => Some(Num::I(*i)),
            Val::Float(f) => Some(Num::F(*f)),
            Val::Str(s) => parse_numeric(s),
            Val::OStr(s) => parse_numeric(s),
            _ => None,
        }
    }

    pub fn truthy(&self) -> bool {
        match self {
            Val::Null => false,
            Val::Bool(b) => *b,
            Val::Int(i) => *i != 0,
            Val::Float(f) => *f != 0.0 && !f.is_nan(),
            Val::Str(s) => !s.is_empty(),
            Val::OStr(s) => !s.is_empty(),
            _ => true,
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Int(i) => Value::Number((*i).into()),
            Val::Float(f) => float_json(*f),
            Val::Str(s) => Value::String((*s).to_string()),
            Val::OStr(s) => Value::String(s.to_string()),
            Val::JArr(a) => Value::Array(a.to_vec()),
            Val::JObj(m) => Value::Object((*m).clone()),
            Val::Arr(a) => Value::Array(a.iter().map(Val::to_json).collect()),
            Val::Obj(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| ((*k).to_string(), v.to_json()))
                    .collect(),
            ),
            Val::Date(Some(ms)) => Value::String(crate::date::format(*ms)),
            Val::Date(None) => Value::Null,
        }
    }
}

/// Spec §3.8: an integral double is written as an integer.
fn float_json(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Value::Number((f as i64).into());
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Accepts `[+-]digits[.digits][(e|E)[+-]digits]` after trimming, nothing else
/// (no `inf`, `nan`, hex, `.5` or `5.`), because record values such as
/// `"1500.00"` are what this exists for.
pub(crate) fn parse_numeric(s: &str) -> Option<Num> {
    let t = s.trim();
    let b = t.as_bytes();
    if b.is_empty() || b.len() > 400 {
        return None;
    }
    let mut i = 0;
    if matches!(b[0], b'+' | b'-') {
        i = 1;
    }
    let digits = |mut i: usize| {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i, i > start)
    };
    let (mut j, ok) = digits(i);
    if !ok {
        return None;
    }
    let mut integral = true;
    if j < b.len() && b[j] == b'.' {
        let (k, ok) = digits(j + 1);
        if !ok {
            return None;
        }
        j = k;
        integral = false;
    }
    if j < b.len() && matches!(b[j], b'e' | b'E') {
        let mut k = j + 1;
        if k < b.len() && matches!(b[k], b'+' | b'-') {
            k += 1;
        }
        let (k, ok) = digits(k);
        if !ok {
            return None;
        }
        j = k;
        integral = false;
    }
    if j != b.len() {
        return None;
    }
    if integral {
        if let Ok(v) = t.parse::<i64>() {
            return Some(Num::I(v));
        }
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() => Some(Num::F(f)),
        _ => None,
    }
}

/// Number text in JavaScript's shortest form (`1`, `0.1`, `1e+21`).
pub(crate) fn fmt_float(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = f.abs();
    if (1e-6..1e21).contains(&a) {
        return format!("{f}");
    }
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
        _ => s,
    }
}
