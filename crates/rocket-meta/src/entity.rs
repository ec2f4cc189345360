use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ident::{is_safe_ident, is_user_ident};

/// Storage/rendering class of a field, derived from its free-form `type` string.
/// Unknown type strings are accepted and behave like `string` (stored as TEXT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldType {
    #[default]
    String,
    Text,
    Int,
    Bigint,
    Float,
    Decimal,
    Boolean,
    Uuid,
    Timestamp,
    Date,
    Json,
    File,
}

impl FieldType {
    pub fn parse(s: &str) -> FieldType {
        match s {
            "text" => FieldType::Text,
            "int" | "integer" => FieldType::Int,
            "bigint" => FieldType::Bigint,
            "float" => FieldType::Float,
            "decimal" => FieldType::Decimal,
            "boolean" => FieldType::Boolean,
            "uuid" => FieldType::Uuid,
            "timestamp" => FieldType::Timestamp,
            "date" => FieldType::Date,
            "json" => FieldType::Json,
            "file" => FieldType::File,
            _ => FieldType::String,
        }
    }

    pub fn is_textual(self) -> bool {
        matches!(self, FieldType::String | FieldType::Text)
    }

    pub fn is_json(self) -> bool {
        matches!(self, FieldType::Json | FieldType::File)
    }

    pub fn is_integer(self) -> bool {
        matches!(self, FieldType::Int | FieldType::Bigint)
    }

    /// Noun phrase used in type-mismatch messages ("score must be an integer").
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::String | FieldType::Text => "a string",
            FieldType::Int | FieldType::Bigint => "an integer",
            FieldType::Float | FieldType::Decimal => "a number",
            FieldType::Boolean => "a boolean",
            FieldType::Uuid => "a uuid",
            FieldType::Timestamp => "a timestamp",
            FieldType::Date => "a date",
            FieldType::Json => "JSON",
            FieldType::File => "a file id or a file object",
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero(n: &i64) -> bool {
    *n == 0
}
fn is_null_or_absent(v: &Option<Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}
fn empty_str(s: &str) -> bool {
    s.is_empty()
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    #[serde(skip_serializing_if = "is_false")]
    pub required: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub unique: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// Rust extension: a plain (non-unique) index on the column, for fields that
    /// lists filter or sort on. Other implementations ignore the property.
    #[serde(skip_serializing_if = "is_false")]
    pub index: bool,
    #[serde(skip_serializing_if = "is_null_or_absent")]
    pub default: Option<Value>,
    #[serde(rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub precision: i64,
    #[serde(skip_serializing_if = "empty_str")]
    pub auto: String,
    #[serde(skip)]
    pub kind: FieldType,
}

impl Field {
    /// `auto` is `create` or `update`; any other string means not auto (spec 03 §1.1).
    pub fn is_auto(&self) -> bool {
        self.auto == "create" || self.auto == "update"
    }
    pub fn is_auto_update(&self) -> bool {
        self.auto == "update"
    }
    /// `required` only counts when `nullable` does not cancel it.
    pub fn is_required(&self) -> bool {
        self.required && !self.nullable
    }
    pub fn has_default(&self) -> bool {
        self.default.is_some()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default)]
pub struct PrimaryKey {
    pub field: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub generated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default)]
pub struct Slug {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub regenerate_on_update: bool,
}

impl Slug {
    pub fn source_field(&self) -> Option<&str> {
        self.source.as_deref().filter(|s| !s.is_empty())
    }
}

/// Rust extension: a declared (possibly composite) index, e.g. for a list that
/// filters on one column and sorts on another.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default)]
pub struct Index {
    pub fields: Vec<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub unique: bool,
}

/// Most columns one declared index may cover.
const MAX_INDEX_FIELDS: usize = 8;

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Entity {
    pub name: String,
    pub table: String,
    pub primary_key: PrimaryKey,
    pub soft_delete: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<Slug>,
    pub fields: Vec<Field>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    #[serde(skip)]
    index: HashMap<String, usize>,
    #[serde(skip)]
    pk_index: usize,
}

impl PartialEq for Entity {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.table == o.table
            && self.primary_key == o.primary_key
            && self.soft_delete == o.soft_delete
            && self.slug == o.slug
            && self.fields == o.fields
            && self.indexes == o.indexes
    }
}

/// Largest NUMERIC scale we accept: `NUMERIC(18, p)` needs `p <= 18`.
const MAX_PRECISION: i64 = 18;

impl Entity {
    /// Parses a stored or submitted definition and prepares its lookup indexes.
    pub fn from_value(v: Value) -> Result<Entity, serde_json::Error> {
        let mut e: Entity = serde_json::from_value(v)?;
        e.prepare();
        Ok(e)
    }

    /// Fills the derived, non-serialized parts (field kinds, name index).
    pub fn prepare(&mut self) {
        self.index.clear();
        for (i, f) in self.fields.iter_mut().enumerate() {
            f.kind = FieldType::parse(&f.type_name);
            self.index.entry(f.name.clone()).or_insert(i);
        }
        self.pk_index = self
            .index
            .get(&self.primary_key.field)
            .copied()
            .unwrap_or(0);
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.index.get(name).map(|&i| &self.fields[i])
    }

    pub fn has_field(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The primary-key field. Valid entities always have one (validation rule 5).
    pub fn pk(&self) -> &Field {
        &self.fields[self.pk_index]
    }

    pub fn pk_name(&self) -> &str {
        &self.primary_key.field
    }

    /// Generated integer keys come from the database (identity / rowid).
    pub fn pk_db_generated(&self) -> bool {
        self.primary_key.generated && self.pk().kind.is_integer()
    }

    /// Generated non-integer keys are UUIDs made by the application on both dialects.
    pub fn pk_app_generated(&self) -> bool {
        self.primary_key.generated && !self.pk().kind.is_integer()
    }

    /// True when records carry an extra `deleted_at` that is not a declared field.
    pub fn extra_deleted_at(&self) -> bool {
        self.soft_delete && !self.has_field("deleted_at")
    }

    /// Validates a definition with the messages of spec 03 §3.6 (first failure wins),
    /// plus the identifier and default checks the Rust implementation adds.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("entity name is required".into());
        }
        if self.name.starts_with('_') || !is_safe_ident(&self.name) {
            return Err(format!(
                "entity name {:?} must match ^[a-z][a-z0-9_]*$ (at most 63 characters, not starting with _)",
                self.name
            ));
        }
        if self.table.is_empty() {
            return Err("table name is required".into());
        }
        if !is_user_ident(&self.table) {
            return Err(format!(
                "table name {:?} must match ^[a-z][a-z0-9_]*$ (at most 63 characters, not starting with _, pg_ or sqlite_)",
                self.table
            ));
        }
        if self.fields.is_empty() {
            return Err("entity must have at least one field".into());
        }
        let mut seen = std::collections::HashSet::new();
        for f in &self.fields {
            if !is_user_ident(&f.name) {
                return Err(format!(
                    "field name {:?} must match ^[a-z][a-z0-9_]*$ (at most 63 characters, not starting with _, pg_ or sqlite_)",
                    f.name
                ));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(format!("duplicate field name: {}", f.name));
            }
            if !(0..=MAX_PRECISION).contains(&f.precision) {
                return Err(format!(
                    "precision of field {} must be between 0 and {MAX_PRECISION}",
                    f.name
                ));
            }
            if let Some(d) = &f.default {
                if !default_fits(FieldType::parse(&f.type_name), d) {
                    return Err(format!(
                        "default of field {} must be {}",
                        f.name,
                        FieldType::parse(&f.type_name).describe()
                    ));
                }
            }
        }
        if self.primary_key.field.is_empty() {
            return Err("primary key field is required".into());
        }
        let Some(pk) = self
            .fields
            .iter()
            .find(|f| f.name == self.primary_key.field)
        else {
            return Err(format!(
                "primary key field {} not found in fields",
                self.primary_key.field
            ));
        };
        if !matches!(
            self.primary_key.type_name.as_str(),
            "" | "uuid" | "int" | "integer" | "bigint" | "string"
        ) {
            return Err(format!(
                "primary key type must be one of uuid, int, integer, bigint, string (got {})",
                self.primary_key.type_name
            ));
        }
        let pk_kind = FieldType::parse(&pk.type_name);
        if self.primary_key.generated
            && !(pk_kind.is_integer() || pk_kind == FieldType::Uuid || pk_kind.is_textual())
        {
            return Err(format!(
                "generated primary key field {} must be of type uuid, string, int or bigint",
                pk.name
            ));
        }
        for ix in &self.indexes {
            if ix.fields.is_empty() || ix.fields.len() > MAX_INDEX_FIELDS {
                return Err(format!("an index must name 1 to {MAX_INDEX_FIELDS} fields"));
            }
            for f in &ix.fields {
                if !self.fields.iter().any(|x| &x.name == f) {
                    return Err(format!("index field {f} not found in fields"));
                }
            }
        }
        if let Some(slug) = &self.slug {
            let Some(sf) = self.fields.iter().find(|f| f.name == slug.field) else {
                return Err(format!("slug field \"{}\" not found in fields", slug.field));
            };
            if sf.type_name != "string" && sf.type_name != "text" {
                return Err(format!(
                    "slug field \"{}\" must be of type string or text",
                    slug.field
                ));
            }
            if !sf.unique {
                return Err(format!(
                    "slug field \"{}\" must have unique: true",
                    slug.field
                ));
            }
            if let Some(src) = slug.source_field() {
                if !self.fields.iter().any(|f| f.name == src) {
                    return Err(format!("slug source field \"{src}\" not found in fields"));
                }
            }
        }
        Ok(())
    }
}

/// A column DEFAULT must be castable to the column type, or CREATE TABLE fails.
fn default_fits(kind: FieldType, v: &Value) -> bool {
    match kind {
        // INTEGER is 32-bit on Postgres: keep both dialects to that range.
        FieldType::Int => v.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        FieldType::Bigint => v.is_i64(),
        FieldType::Float | FieldType::Decimal => v.is_number(),
        FieldType::Boolean => v.is_boolean(),
        FieldType::Json | FieldType::File => true,
        FieldType::Uuid => v.as_str().is_some_and(crate::schema::looks_like_uuid),
        FieldType::Timestamp | FieldType::Date => v.is_string(),
        FieldType::String | FieldType::Text => v.is_string() || v.is_number() || v.is_boolean(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "name": "invoice", "table": "invoices",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}, {"name": "number", "type": "string", "unique": true}]
        })
    }

    fn err(v: Value) -> String {
        Entity::from_value(v).unwrap().validate().unwrap_err()
    }

    #[test]
    fn valid_entity_passes_and_canonicalizes() {
        let e = Entity::from_value(base()).unwrap();
        e.validate().unwrap();
        let out = serde_json::to_value(&e).unwrap();
        assert_eq!(out["soft_delete"], json!(false));
        assert_eq!(out["fields"][0], json!({"name": "id", "type": "uuid"}));
        assert_eq!(
            out["fields"][1],
            json!({"name": "number", "type": "string", "unique": true})
        );
        assert!(out.get("slug").is_none());
    }

    #[test]
    fn messages_in_spec_order() {
        let mut v = base();
        v["name"] = json!("");
        assert_eq!(err(v), "entity name is required");
        let mut v = base();
        v["table"] = json!("");
        assert_eq!(err(v), "table name is required");
        let mut v = base();
        v["fields"] = json!([]);
        assert_eq!(err(v), "entity must have at least one field");
        let mut v = base();
        v["primary_key"]["field"] = json!("");
        assert_eq!(err(v), "primary key field is required");
        let mut v = base();
        v["primary_key"]["field"] = json!("nope");
        assert_eq!(err(v), "primary key field nope not found in fields");
        let mut v = base();
        v["slug"] = json!({"field": "zz"});
        assert_eq!(err(v), "slug field \"zz\" not found in fields");
        let mut v = base();
        v["fields"][1]["unique"] = json!(false);
        v["slug"] = json!({"field": "number"});
        assert_eq!(err(v), "slug field \"number\" must have unique: true");
        let mut v = base();
        v["slug"] = json!({"field": "number", "source": "title"});
        assert_eq!(err(v), "slug source field \"title\" not found in fields");
        let mut v = base();
        v["fields"][1]["type"] = json!("int");
        v["slug"] = json!({"field": "number"});
        assert_eq!(
            err(v),
            "slug field \"number\" must be of type string or text"
        );
    }

    #[test]
    fn rejects_unsafe_identifiers_and_defaults() {
        let mut v = base();
        v["name"] = json!("_files");
        assert!(err(v).contains("entity name"));
        let mut v = base();
        v["table"] = json!("x; drop table y");
        assert!(err(v).contains("table name"));
        for reserved in ["pg_authid", "pg_database", "sqlite_master", "_users"] {
            let mut v = base();
            v["table"] = json!(reserved);
            assert!(err(v).contains("table name"), "{reserved}");
            let mut v = base();
            v["fields"][1]["name"] = json!(reserved);
            assert!(err(v).contains("field name"), "{reserved}");
        }
        let mut v = base();
        v["fields"][1]["name"] = json!("Bad Name");
        assert!(err(v).contains("field name"));
        let mut v = base();
        v["fields"][1]["name"] = json!("id");
        assert_eq!(err(v), "duplicate field name: id");
        let mut v = base();
        v["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "n", "type": "int", "default": "x"}));
        assert!(err(v).contains("default of field n"));
        let mut v = base();
        v["fields"].as_array_mut().unwrap().push(
            json!({"name": "n", "type": "int", "required": true, "default": 3_000_000_000i64}),
        );
        assert!(
            err(v).contains("default of field n"),
            "out of the 32-bit range"
        );
    }

    #[test]
    fn declared_indexes_name_fields() {
        let mut v = base();
        v["indexes"] = json!([{"fields": ["number", "id"]}]);
        Entity::from_value(v.clone()).unwrap().validate().unwrap();
        v["indexes"] = json!([{"fields": ["nope"]}]);
        assert_eq!(err(v.clone()), "index field nope not found in fields");
        v["indexes"] = json!([{"fields": []}]);
        assert!(err(v).contains("an index must name"));
    }

    #[test]
    fn wrong_json_types_fail_to_parse() {
        let mut v = base();
        v["soft_delete"] = json!("yes");
        assert!(Entity::from_value(v).is_err());
    }

    #[test]
    fn unknown_types_behave_like_string() {
        assert_eq!(FieldType::parse("weird"), FieldType::String);
        assert_eq!(FieldType::parse("integer"), FieldType::Int);
    }
}
