use std::fmt::Write as _;

use rocket_meta::FieldType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    /// The schema business tables live in. Every reference to an app table is
    /// qualified with it, so a name can never resolve to a catalog (`pg_catalog` is
    /// searched before `public` for unqualified names).
    pub fn schema(self) -> &'static str {
        match self {
            Dialect::Postgres => "public",
            Dialect::Sqlite => "main",
        }
    }

    /// `"public"."t"` / `"main"."t"`.
    pub fn table(self, name: &str) -> String {
        let mut s = String::with_capacity(name.len() + 10);
        push_ident(&mut s, self.schema());
        s.push('.');
        push_ident(&mut s, name);
        s
    }
}

pub(crate) fn push_ident(out: &mut String, name: &str) {
    out.push('"');
    for ch in name.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
}

/// A bound value. JSON values travel as `Text` holding their serialization.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    /// Postgres only: one array parameter for `= ANY(...)`.
    TextList(Vec<String>),
}

impl Param {
    /// Text form used when binding on Postgres.
    pub fn to_pg_text(&self) -> Option<String> {
        match self {
            Param::Null => None,
            Param::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
            Param::Int(i) => Some(i.to_string()),
            Param::Float(f) => Some(f.to_string()),
            Param::Text(s) => Some(s.clone()),
            Param::TextList(_) => None,
        }
    }
}

/// SQL text plus its parameters, ready for a store to execute.
#[derive(Debug, Clone, PartialEq)]
pub struct Sql {
    pub text: String,
    pub params: Vec<Param>,
}

/// Incremental builder; the one place placeholders and casts are produced.
pub struct Builder {
    pub dialect: Dialect,
    text: String,
    params: Vec<Param>,
}

impl Builder {
    pub fn new(dialect: Dialect) -> Builder {
        Builder {
            dialect,
            text: String::with_capacity(256),
            params: Vec::new(),
        }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    pub fn ident(&mut self, name: &str) -> &mut Self {
        push_ident(&mut self.text, name);
        self
    }

    /// An app table, schema-qualified (see [`Dialect::table`]).
    pub fn table(&mut self, name: &str) -> &mut Self {
        push_ident(&mut self.text, self.dialect.schema());
        self.text.push('.');
        push_ident(&mut self.text, name);
        self
    }

    /// A column as it must be selected so the row decoder gets a uniform form:
    /// text on Postgres (rendered by field type later), the native value on SQLite.
    pub fn select_col(&mut self, name: &str) -> &mut Self {
        self.ident(name);
        if self.dialect == Dialect::Postgres {
            self.text.push_str("::text");
        }
        self
    }

    /// Binds one value for a column of the given type.
    pub fn bind(&mut self, p: Param, ty: FieldType) -> &mut Self {
        self.params.push(p);
        let n = self.params.len();
        match self.dialect {
            Dialect::Postgres => {
                let _ = write!(self.text, "${n}::text");
                if let Some(cast) = pg_cast(ty) {
                    self.text.push_str("::");
                    self.text.push_str(cast);
                }
            }
            Dialect::Sqlite => {
                let _ = write!(self.text, "?{n}");
            }
        }
        self
    }

    /// Binds a list as one array parameter (Postgres only).
    pub fn bind_pg_list(&mut self, values: Vec<String>, ty: FieldType) -> &mut Self {
        self.params.push(Param::TextList(values));
        let n = self.params.len();
        let _ = write!(self.text, "${n}::text[]");
        if let Some(cast) = pg_cast(ty) {
            let _ = write!(self.text, "::{cast}[]");
        }
        self
    }

    /// Binds an integer used by LIMIT / OFFSET.
    pub fn bind_int(&mut self, i: i64) -> &mut Self {
        self.bind(Param::Int(i), FieldType::Bigint)
    }

    /// A row count of LIMIT / OFFSET: bound on Postgres (one prepared statement for
    /// every page); written out on SQLite, whose planner marks a bound LIMIT as
    /// plan-relevant, so every execution of the cached statement with a fresh value
    /// re-prepared it (a third of the work of a keyed read). The value is an integer
    /// the engine computed, never input text.
    pub fn row_count(&mut self, n: i64) -> &mut Self {
        match self.dialect {
            Dialect::Postgres => self.bind_int(n),
            Dialect::Sqlite => {
                self.text.push_str(&n.to_string());
                self
            }
        }
    }

    /// The current time for a business-table column. On SQLite it is written in the
    /// one stored timestamp form (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, fixed width so
    /// text order is time order), like every value the engine normalises.
    pub fn now(&mut self) -> &mut Self {
        self.text.push_str(match self.dialect {
            Dialect::Postgres => "NOW()",
            Dialect::Sqlite => "(strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z')",
        });
        self
    }

    pub fn finish(self) -> Sql {
        Sql {
            text: self.text,
            params: self.params,
        }
    }
}

/// Postgres type a text parameter is cast to for a field type; `None` for text.
pub(crate) fn pg_cast(ty: FieldType) -> Option<&'static str> {
    match ty {
        FieldType::String | FieldType::Text => None,
        FieldType::Int => Some("int4"),
        FieldType::Bigint => Some("int8"),
        FieldType::Float => Some("float8"),
        FieldType::Decimal => Some("numeric"),
        FieldType::Boolean => Some("bool"),
        FieldType::Uuid => Some("uuid"),
        FieldType::Timestamp => Some("timestamptz"),
        FieldType::Date => Some("date"),
        FieldType::Json | FieldType::File => Some("jsonb"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_per_dialect() {
        let mut b = Builder::new(Dialect::Postgres);
        b.ident("score")
            .push(" > ")
            .bind(Param::Int(5), FieldType::Int);
        b.push(" AND ").ident("id").push(" = ANY(");
        b.bind_pg_list(vec!["a".into()], FieldType::Uuid).push(")");
        let s = b.finish();
        assert_eq!(
            s.text,
            "\"score\" > $1::text::int4 AND \"id\" = ANY($2::text[]::uuid[])"
        );
        let mut b = Builder::new(Dialect::Sqlite);
        b.ident("a")
            .push(" = ")
            .bind(Param::Text("x".into()), FieldType::String);
        b.push(" AND ")
            .ident("b")
            .push(" = ")
            .bind(Param::Int(1), FieldType::Int);
        assert_eq!(b.finish().text, "\"a\" = ?1 AND \"b\" = ?2");
    }
}
