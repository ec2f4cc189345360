//! Body → [`RowPlan`] (spec 04 §6.2–6.3, spec 05 §1): pure, no I/O.
//!
//! A body is split into field values and relation writes, and every row at every
//! depth is checked like a top-level write of its entity (Rust contract, spec 05 §1):
//! unknown keys, required, enum and type. Problems are reported together, with the
//! row's position in the path (`items[0].taxes[1].rate`); unknown keys anywhere win
//! over the other checks (spec 06 §5).

use std::collections::HashSet;
use std::sync::Arc;

use rocket_meta::{Entity, FieldType, Relation, RelationKind, Schema, WriteMode};
use rocket_store::{Dialect, Param};
use serde_json::{Map, Value};

use crate::error::{Detail, EngineError, Result};
use crate::records::values::{key_param, text_form, to_param, Mismatch};

/// A validated value of one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue {
    pub name: String,
    pub kind: FieldType,
    pub param: Param,
}

/// One row to write and the relation writes below it.
#[derive(Debug)]
pub struct RowPlan<'b> {
    pub entity: Arc<Entity>,
    pub body: &'b Map<String, Value>,
    pub values: Vec<FieldValue>,
    pub relations: Vec<RelationPlan<'b>>,
}

impl<'b> RowPlan<'b> {
    /// True when the row's own statement is all there is to do.
    pub fn is_flat(&self) -> bool {
        self.relations.is_empty()
    }

    /// A copy of the row's own values (no relation writes), for the rules to change.
    pub fn row_only(&self) -> RowPlan<'b> {
        RowPlan {
            entity: self.entity.clone(),
            body: self.body,
            values: self.values.clone(),
            relations: Vec::new(),
        }
    }
}

/// The rows of one relation key of a body.
#[derive(Debug)]
pub struct RelationPlan<'b> {
    pub relation: Arc<Relation>,
    pub target: Arc<Entity>,
    pub mode: WriteMode,
    pub rows: Vec<ChildPlan<'b>>,
}

/// What one element of `data` asks for. Keys are canonical (as the database prints
/// them), so they compare with keys read back.
#[derive(Debug)]
pub enum ChildPlan<'b> {
    Insert(RowPlan<'b>),
    /// Update the current child with this key (ignored when it is not one).
    Update {
        key: String,
        row: RowPlan<'b>,
    },
    /// Remove the current child with this key (`_delete` in diff mode).
    Remove {
        key: String,
    },
    /// A many-to-many link to the target with this id.
    Link {
        id: Param,
        key: String,
        remove: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

/// Plans a top-level write of `e`.
pub fn plan<'b>(
    schema: &Schema,
    e: &Arc<Entity>,
    body: &'b Map<String, Value>,
    mode: Mode,
    d: Dialect,
    max_depth: usize,
) -> Result<RowPlan<'b>> {
    let mut p = Planner {
        schema,
        d,
        max_depth,
        unknown: Vec::new(),
        invalid: Vec::new(),
    };
    let row = p.row(e, body, "", mode, None, 0);
    if !p.unknown.is_empty() {
        return Err(EngineError::Validation(p.unknown));
    }
    if !p.invalid.is_empty() {
        return Err(EngineError::Validation(p.invalid));
    }
    Ok(row)
}

struct Planner<'s> {
    schema: &'s Schema,
    d: Dialect,
    max_depth: usize,
    unknown: Vec<Detail>,
    invalid: Vec<Detail>,
}

fn at(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The rows of a relation write and its `_write_mode`, if any.
type RelationWrite<'b> = (Vec<&'b Map<String, Value>>, Option<WriteMode>);

/// A relation-write value: an object with a `data` array of objects (spec 05 §1).
fn relation_write(v: &Value) -> Option<RelationWrite<'_>> {
    let obj = v.as_object()?;
    let rows: Option<Vec<&Map<String, Value>>> = obj
        .get("data")?
        .as_array()?
        .iter()
        .map(Value::as_object)
        .collect();
    let mode = obj
        .get("_write_mode")
        .and_then(Value::as_str)
        .map(WriteMode::parse);
    Some((rows?, mode))
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

fn marked_delete(row: &Map<String, Value>) -> bool {
    matches!(row.get("_delete"), Some(Value::Bool(true)))
}

/// The key a row names for `t`, canonical; `None` when absent, null or impossible.
fn row_key(t: &Entity, row: &Map<String, Value>) -> Option<Option<String>> {
    let v = row.get(t.pk_name()).filter(|v| !v.is_null())?;
    Some(
        text_form(v)
            .and_then(|s| key_param(&s, t.pk().kind))
            .and_then(|p| p.to_pg_text()),
    )
}

pub(crate) fn mismatch_detail(path: &str, field: &str, kind: FieldType, m: Mismatch) -> Detail {
    let message = match m {
        Mismatch::Type => format!("{field} must be {}", kind.describe()),
        Mismatch::Nul => format!("{field} must not contain NUL characters"),
    };
    Detail::new(path, "type", message)
}

impl<'s> Planner<'s> {
    /// Splits and checks one row; `fk` is the key column the parent fills in.
    fn row<'b>(
        &mut self,
        e: &Arc<Entity>,
        body: &'b Map<String, Value>,
        path: &str,
        mode: Mode,
        fk: Option<&str>,
        depth: usize,
    ) -> RowPlan<'b> {
        let mut fields = Vec::new();
        let mut relations = Vec::new();
        for (k, v) in body {
            if e.has_field(k) {
                fields.push((k.as_str(), v));
            } else if k == "_delete" && depth > 0 {
                // The removal marker of a child row (spec 05 §1).
            } else if let Some(rp) = self.relation(e, k, v, path, depth) {
                relations.extend(rp);
            } else {
                self.unknown.push(Detail::new(
                    at(path, k),
                    "unknown",
                    format!("Unknown field or relation: {k}"),
                ));
            }
        }
        let values = self.values(e, &fields, path, mode, fk);
        RowPlan {
            entity: e.clone(),
            body,
            values,
            relations,
        }
    }

    /// A forward relation write under `path`: `None` when `k` is not one,
    /// `Some(None)` when it is one whose problem was recorded.
    fn relation<'b>(
        &mut self,
        e: &Entity,
        k: &str,
        v: &'b Value,
        path: &str,
        depth: usize,
    ) -> Option<Option<RelationPlan<'b>>> {
        let resolved = self.schema.resolve(k, &e.name).filter(|r| r.forward)?;
        let (rows, mode) = relation_write(v)?;
        let r = resolved.relation;
        let here = at(path, k);
        let Some(target) = self.schema.entity(&r.target).cloned() else {
            self.invalid.push(Detail::new(
                &here,
                "unknown",
                format!("Relation {} has no registered target", r.name),
            ));
            return Some(None);
        };
        if depth + 1 > self.max_depth {
            self.invalid.push(Detail::new(
                &here,
                "depth",
                format!("Nested writes are limited to {} levels", self.max_depth),
            ));
            return Some(None);
        }
        let mode = mode.unwrap_or_else(|| r.write_mode());
        let children = if r.kind() == RelationKind::ManyToMany {
            self.links(&target, &rows, &here)
        } else {
            self.children(&target, &r, &rows, &here, mode, depth + 1)
        };
        Some(Some(RelationPlan {
            relation: r,
            target,
            mode,
            rows: children,
        }))
    }

    /// Rows of a one-to-many / one-to-one write (spec 05 §3).
    fn children<'b>(
        &mut self,
        t: &Arc<Entity>,
        r: &Relation,
        rows: &[&'b Map<String, Value>],
        here: &str,
        mode: WriteMode,
        depth: usize,
    ) -> Vec<ChildPlan<'b>> {
        let mut out = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let path = format!("{here}[{i}]");
            let fk = Some(r.target_key.as_str());
            match (row_key(t, row), mode) {
                // Rows with a key are ignored in append mode (spec 05 §3.3).
                (Some(_), WriteMode::Append) => {}
                (Some(key), WriteMode::Diff) if marked_delete(row) => {
                    out.extend(key.map(|key| ChildPlan::Remove { key }));
                }
                (None, WriteMode::Diff) if marked_delete(row) => {}
                (Some(key), _) => {
                    let plan = self.row(t, row, &path, Mode::Update, fk, depth);
                    out.extend(key.map(|key| ChildPlan::Update { key, row: plan }));
                }
                (None, _) => {
                    out.push(ChildPlan::Insert(self.row(
                        t,
                        row,
                        &path,
                        Mode::Create,
                        fk,
                        depth,
                    )));
                }
            }
        }
        out
    }

    /// Link descriptors of a many-to-many write (spec 05 §4): the target's key (or
    /// `id`); ids deduplicated (a duplicate would be a spurious conflict).
    fn links<'b>(
        &mut self,
        t: &Entity,
        rows: &[&Map<String, Value>],
        here: &str,
    ) -> Vec<ChildPlan<'b>> {
        let kind = t.pk().kind;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let raw = row
                .get(t.pk_name())
                .filter(|v| !v.is_null())
                .or_else(|| row.get("id"))
                .filter(|v| !v.is_null());
            let Some(tid) = raw.and_then(text_form) else {
                continue;
            };
            let Some(id) = key_param(&tid, kind) else {
                self.invalid.push(Detail::new(
                    format!("{here}[{i}].id"),
                    "type",
                    format!("id must be {}", kind.describe()),
                ));
                continue;
            };
            let key = id.to_pg_text().unwrap_or_default();
            if seen.insert(key.clone()) {
                out.push(ChildPlan::Link {
                    id,
                    key,
                    remove: marked_delete(row),
                });
            }
        }
        out
    }

    /// Field validation (spec 04 §6.3): required (create only; explicit `null` on
    /// update), enum, then the type of every value, converted once into parameters.
    fn values(
        &mut self,
        e: &Entity,
        fields: &[(&str, &Value)],
        path: &str,
        mode: Mode,
        fk: Option<&str>,
    ) -> Vec<FieldValue> {
        let get = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        let mut failed: Vec<String> = Vec::new();
        for f in e
            .fields
            .iter()
            .filter(|f| !exempt(e, &f.name, fk) && !f.is_auto())
        {
            let is_pk = f.name == e.primary_key.field;
            let missing = match mode {
                Mode::Create => (f.is_required() || is_pk) && is_blank(get(&f.name)),
                // A required column cannot become NULL; "" stays allowed as on create.
                Mode::Update => f.is_required() && matches!(get(&f.name), Some(Value::Null)),
            };
            if missing {
                self.invalid.push(Detail::new(
                    at(path, &f.name),
                    "required",
                    format!("{} is required", f.name),
                ));
                failed.push(f.name.clone());
            }
        }
        for f in e.fields.iter().filter(|f| !f.enum_values.is_empty()) {
            if let Some(v) = get(&f.name).filter(|v| !v.is_null()) {
                let s = text_form(v).unwrap_or_default();
                if !f.enum_values.contains(&s) {
                    self.invalid.push(Detail::new(
                        at(path, &f.name),
                        "enum",
                        format!("{} must be one of: {}", f.name, f.enum_values.join(", ")),
                    ));
                    failed.push(f.name.clone());
                }
            }
        }
        let mut out = Vec::with_capacity(fields.len());
        for (k, v) in fields {
            let Some(f) = e.field(k) else { continue };
            match to_param(v, f.kind, self.d) {
                Ok(param) => out.push(FieldValue {
                    name: f.name.clone(),
                    kind: f.kind,
                    param,
                }),
                Err(m) if !failed.contains(&f.name) => {
                    self.invalid
                        .push(mismatch_detail(&at(path, &f.name), &f.name, f.kind, m));
                }
                Err(_) => {}
            }
        }
        out
    }
}

/// Fields the engine fills itself: a generated key, the slug when it has a source,
/// and the foreign key a parent propagates.
fn exempt(e: &Entity, name: &str, fk: Option<&str>) -> bool {
    let generated_pk = name == e.primary_key.field && e.primary_key.generated;
    let slug = e
        .slug
        .as_ref()
        .is_some_and(|s| s.source_field().is_some() && s.field == name);
    generated_pk || slug || fk == Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> (Schema, Arc<Entity>) {
        let ent = |v: Value| Entity::from_value(v).unwrap();
        let order = ent(json!({"name": "order", "table": "orders",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"},
                       {"name": "number", "type": "string", "required": true},
                       {"name": "status", "type": "string", "enum": ["draft", "paid"]}]}));
        let item = ent(json!({"name": "item", "table": "items",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}, {"name": "order_id", "type": "uuid", "required": true},
                       {"name": "qty", "type": "int", "required": true}]}));
        let tax = ent(json!({"name": "tax", "table": "taxes",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}, {"name": "item_id", "type": "uuid"},
                       {"name": "rate", "type": "decimal"}]}));
        let rel = |n: &str, s: &str, t: &str, fk: &str| {
            Relation::from_value(
                json!({"name": n, "type": "one_to_many", "source": s, "target": t,
                "source_key": "id", "target_key": fk}),
            )
            .unwrap()
        };
        let s = Schema::new(
            vec![order, item, tax],
            vec![
                rel("items", "order", "item", "order_id"),
                rel("taxes", "item", "tax", "item_id"),
            ],
        );
        let e = s.entity("order").unwrap().clone();
        (s, e)
    }

    fn details(r: Result<RowPlan<'_>>) -> Vec<(String, String)> {
        match r {
            Err(EngineError::Validation(d)) => d.into_iter().map(|d| (d.field, d.rule)).collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    /// A SQLite plan of `body` that must succeed.
    fn planned<'b>(s: &Schema, e: &Arc<Entity>, body: &'b Value, mode: Mode) -> RowPlan<'b> {
        plan(s, e, body.as_object().unwrap(), mode, Dialect::Sqlite, 5).unwrap()
    }

    /// The (position, rule) pairs a SQLite plan of `body` reports.
    fn errors(
        s: &Schema,
        e: &Arc<Entity>,
        body: &Value,
        mode: Mode,
        depth: usize,
    ) -> Vec<(String, String)> {
        details(plan(
            s,
            e,
            body.as_object().unwrap(),
            mode,
            Dialect::Sqlite,
            depth,
        ))
    }

    #[test]
    fn nested_rows_are_validated_at_any_depth_with_their_position() {
        let (s, e) = schema();
        let body = json!({"number": "A", "items": {"data": [
            {"qty": 1, "taxes": {"data": [{"rate": 0.2}, {"rate": "lots"}]}},
            {"status": "x"}
        ]}});
        let got = errors(&s, &e, &body, Mode::Create, 5);
        assert_eq!(
            got,
            vec![("items[1].status".to_string(), "unknown".to_string())],
            "unknown keys anywhere are reported alone first"
        );
        let body = json!({"number": "A", "items": {"data": [
            {"qty": 1, "taxes": {"data": [{"rate": 0.2}, {"rate": "lots"}]}}, {}
        ]}});
        let got = errors(&s, &e, &body, Mode::Create, 5);
        assert_eq!(
            got,
            vec![
                ("items[0].taxes[1].rate".to_string(), "type".to_string()),
                ("items[1].qty".to_string(), "required".to_string()),
            ],
            "the propagated order_id is not required of children"
        );
    }

    #[test]
    fn depth_is_bounded() {
        let (s, e) = schema();
        let body = json!({"number": "A", "items": {"data": [{"qty": 1, "taxes": {"data": [{"rate": 1}]}}]}});
        let got = errors(&s, &e, &body, Mode::Create, 1);
        assert_eq!(
            got,
            vec![("items[0].taxes".to_string(), "depth".to_string())]
        );
    }

    #[test]
    fn modes_decide_what_rows_mean() {
        let (s, e) = schema();
        let id = "7b0c4a52-1c0e-4d4e-9a57-0f3c1d2e8a11";
        let body = json!({"items": {"data": [
            {"id": id.to_uppercase(), "qty": 2}, {"id": id, "_delete": true}, {"qty": 3}, {"_delete": true, "qty": 4}
        ]}});
        let p = planned(&s, &e, &body, Mode::Update);
        let rows = &p.relations[0].rows;
        assert!(
            matches!(&rows[0], ChildPlan::Update { key, .. } if key == id),
            "canonical key"
        );
        assert!(matches!(&rows[1], ChildPlan::Remove { key } if key == id));
        assert!(matches!(&rows[2], ChildPlan::Insert(_)));
        assert_eq!(
            rows.len(),
            3,
            "a _delete row without key is ignored in diff mode"
        );
        let body =
            json!({"items": {"_write_mode": "append", "data": [{"id": id, "qty": 2}, {"qty": 1}]}});
        let p = planned(&s, &e, &body, Mode::Update);
        assert_eq!(
            p.relations[0].rows.len(),
            1,
            "rows with keys are ignored in append mode"
        );
    }

    #[test]
    fn top_level_checks() {
        let (s, e) = schema();
        let body = json!({"status": "void", "colour": "red"});
        assert_eq!(
            errors(&s, &e, &body, Mode::Create, 5),
            vec![("colour".to_string(), "unknown".to_string())]
        );
        let body = json!({"status": "void"});
        assert_eq!(
            errors(&s, &e, &body, Mode::Create, 5),
            vec![
                ("number".to_string(), "required".to_string()),
                ("status".to_string(), "enum".to_string())
            ]
        );
        let body = json!({"number": null});
        assert_eq!(
            errors(&s, &e, &body, Mode::Update, 5),
            vec![("number".to_string(), "required".to_string())]
        );
        let body = json!({"status": "paid"});
        let p = planned(&s, &e, &body, Mode::Update);
        assert!(p.is_flat());
        assert_eq!(p.values[0].param, Param::Text("paid".into()));
    }
}
