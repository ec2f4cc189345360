//! Query-string grammar of the list endpoint (spec 04 §3): filters, sort, pages,
//! include. Everything is checked against the entity's fields and compiled into
//! typed conditions; nothing from the query string reaches SQL text.

use rocket_meta::{Entity, FilterOp, Schema};
use rocket_sql::{Cond, Order};
use rocket_store::Param;

use crate::config::LimitsConfig;
use crate::error::{EngineError, Result};
use crate::records::values::filter_param;

pub const DEFAULT_PER_PAGE: i64 = 25;
pub const MAX_PER_PAGE: i64 = 100;

#[derive(Debug)]
pub struct ListQuery {
    pub conds: Vec<Cond>,
    pub order: Vec<Order>,
    pub page: i64,
    pub per_page: i64,
    pub include: Vec<String>,
}

fn positive(v: &str) -> Option<i64> {
    // Go semantics: the whole text must be a positive integer, else the default.
    v.parse::<i64>().ok().filter(|n| *n > 0)
}

/// One filter as written: `filter[field.op]=value`.
struct RawFilter {
    key: String,
    value: String,
}

fn too_many(what: &str, max: usize) -> EngineError {
    EngineError::BadInput(format!("Too many {what} (at most {max})"))
}

/// The comma-separated terms of a `sort` or `include` value, trimmed; more than
/// `max` is a 400.
fn terms<'a>(raw: Option<&'a str>, max: usize, what: &str) -> Result<Vec<&'a str>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let items: Vec<&str> = raw.split(',').map(str::trim).collect();
    if items.len() > max {
        return Err(too_many(what, max));
    }
    Ok(items)
}

pub fn parse(
    e: &Entity,
    schema: &Schema,
    raw: Option<&str>,
    limits: &LimitsConfig,
) -> Result<ListQuery> {
    let mut filters: Vec<RawFilter> = Vec::new();
    let mut sort = None;
    let mut page = 1;
    let mut per_page = DEFAULT_PER_PAGE;
    let mut include = None;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if let Some(inner) = k.strip_prefix("filter[").and_then(|r| r.strip_suffix(']')) {
            // Repeated keys: the last value wins.
            match filters.iter_mut().find(|f| f.key == inner) {
                Some(f) => f.value = v.into_owned(),
                None => filters.push(RawFilter {
                    key: inner.to_string(),
                    value: v.into_owned(),
                }),
            }
            continue;
        }
        match k.as_ref() {
            "sort" => sort = Some(v.into_owned()),
            "page" => page = positive(&v).unwrap_or(1),
            "per_page" => per_page = positive(&v).unwrap_or(DEFAULT_PER_PAGE).min(MAX_PER_PAGE),
            "include" => include = Some(v.into_owned()),
            _ => {}
        }
    }
    if filters.len() > limits.filters {
        return Err(too_many("filters", limits.filters));
    }
    let mut conds = Vec::with_capacity(filters.len() + 1);
    if e.soft_delete {
        conds.push(Cond::IsNull("deleted_at".into()));
    }
    for f in &filters {
        let (name, op) = match f.key.split_once('.') {
            Some((n, o)) => (n, o),
            None => (f.key.as_str(), "eq"),
        };
        let Some(field) = e.field(name) else {
            return Err(EngineError::UnknownField(format!(
                "Unknown filter field: {name}"
            )));
        };
        if f.value.chars().count() > limits.filter_value_length {
            return Err(EngineError::BadInput(format!(
                "Filter value for {name} is too long (at most {} characters)",
                limits.filter_value_length
            )));
        }
        conds.push(condition(&field.name, field.kind, op, &f.value)?);
    }
    let mut order = Vec::new();
    for item in terms(sort.as_deref(), limits.sort_terms, "sort terms")? {
        let (name, desc) = match item.strip_prefix('-') {
            Some(n) => (n, true),
            None => (item, false),
        };
        if !e.has_field(name) {
            return Err(EngineError::UnknownField(format!(
                "Unknown sort field: {name}"
            )));
        }
        order.push(Order {
            col: name.to_string(),
            desc,
        });
    }
    let mut tokens = Vec::new();
    for t in terms(include.as_deref(), limits.includes, "includes")? {
        if schema.resolve(t, &e.name).is_none() && !schema.resolves_elsewhere(t, &e.name) {
            return Err(EngineError::UnknownField(format!("Unknown include: {t}")));
        }
        tokens.push(t.to_string());
    }
    Ok(ListQuery {
        conds,
        order,
        page,
        per_page,
        include: tokens,
    })
}

/// Include tokens of GET one: unknown and empty tokens are dropped silently.
pub fn get_includes(raw: Option<&str>, limits: &LimitsConfig) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k == "include" {
            out = v
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect();
        }
    }
    if out.len() > limits.includes {
        return Err(too_many("includes", limits.includes));
    }
    Ok(out)
}

/// Builds one condition; the operator must be known and values must fit the field
/// type (400 otherwise).
pub fn condition(col: &str, kind: rocket_meta::FieldType, op: &str, raw: &str) -> Result<Cond> {
    // Rust contract (spec 04 §3.1): a typo must not silently become `eq`.
    let Some(op) = FilterOp::parse(op) else {
        return Err(EngineError::BadInput(format!(
            "Unknown filter operator: {op}"
        )));
    };
    let bad =
        |reason: String| EngineError::BadInput(format!("Invalid filter value for {col}: {reason}"));
    let values = match op {
        FilterOp::Like => vec![Param::Text(raw.to_string())],
        _ if op.is_list() => raw
            .split(',')
            .map(|item| filter_param(item.trim(), kind).map_err(bad))
            .collect::<Result<Vec<_>>>()?,
        _ => vec![filter_param(raw, kind).map_err(bad)?],
    };
    if op == FilterOp::Like && raw.contains('\0') {
        return Err(bad("NUL characters are not allowed".into()));
    }
    Ok(Cond::from_op(col, kind, op, values))
}
