//! Slugs (spec 03 §1.3): Go's slugify rules and the uniqueness probe.

use rocket_meta::{Entity, FieldType};
use rocket_sql::{Cond, Select};
use rocket_store::{Exec, Param};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::Result;
use crate::records::values::key_param;

/// NFD, drop combining marks, keep ASCII letters (lower-cased) and digits, every
/// other character becomes `-`, runs collapse, ends are trimmed.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for ch in s.nfd().filter(|c| !is_combining_mark(*c)) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    out.trim_matches('-').to_string()
}

/// `base`, else `base-2` … `base-100`, else `base-<6 random base36>` (Express rule).
pub async fn unique(
    tx: &mut Exec<'_>,
    e: &Entity,
    base: &str,
    except: Option<&str>,
) -> Result<String> {
    let Some(slug) = &e.slug else {
        return Ok(base.to_string());
    };
    let d = tx.dialect();
    for n in 1..=100 {
        let candidate = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        let mut conds = vec![Cond::eq(
            &slug.field,
            FieldType::Text,
            Param::Text(candidate.clone()),
        )];
        if e.soft_delete {
            conds.push(Cond::IsNull("deleted_at".into()));
        }
        if let Some(p) = except.and_then(|k| key_param(k, e.pk().kind)) {
            conds.push(Cond::Cmp {
                col: e.pk_name().to_string(),
                ty: e.pk().kind,
                op: rocket_sql::CmpOp::Neq,
                value: p,
            });
        }
        let q = Select {
            table: e.table.clone(),
            columns: vec![slug.field.clone()],
            conds,
            limit: Some(1),
            ..Default::default()
        }
        .to_sql(d);
        if tx.query(&q).await?.is_empty() {
            return Ok(candidate);
        }
    }
    let id = uuid::Uuid::new_v4().as_u128();
    let alphabet = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let suffix: String = (0..6)
        .map(|i| alphabet[((id >> (i * 6)) % 36) as usize] as char)
        .collect();
    Ok(format!("{base}-{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn go_rules() {
        assert_eq!(slugify("Héllo, Wörld! 2024"), "hello-world-2024");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify("  INV-001  "), "inv-001");
        assert_eq!(slugify("Straße"), "stra-e");
    }
}
