/// One column value as read back. Postgres queries select every column as text
/// (`::text`) so only `Null` and `Text` arrive from there, except for counts.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl Cell {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }

    /// Integer view (counts, flags), accepting text digits from Postgres.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(*i),
            Cell::Float(f) => Some(*f as i64),
            Cell::Text(s) => s.parse().ok(),
            Cell::Null => None,
        }
    }

    /// String form used for key matching (grouping includes, comparing ids).
    pub fn key_string(&self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Int(i) => Some(i.to_string()),
            Cell::Float(f) => Some(f.to_string()),
            Cell::Text(s) => Some(s.clone()),
        }
    }

    pub fn into_string(self) -> Option<String> {
        match self {
            Cell::Text(s) => Some(s),
            other => other.key_string(),
        }
    }
}

pub type Row = Vec<Cell>;
