//! Webhooks (spec 12 part B): definitions compiled into the metadata snapshot,
//! synchronous hooks that can veto a write inside its transaction ([`fire`]), and
//! asynchronous ones through a transactional outbox: the write inserts one
//! `_webhook_logs` row per (event, webhook) in its own transaction and the
//! [`worker`] delivers, signs, retries and records them after the commit, once per
//! attempt however many server processes run.

pub mod admin;
pub mod deliver;
pub mod fire;
pub mod payload;
pub mod policy;
pub mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::logic::compiled::Compiled;
use crate::repo::webhooks::WebhookRow;

/// When a webhook fires (12 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hook {
    BeforeWrite,
    AfterWrite,
    BeforeDelete,
    AfterDelete,
}

impl Hook {
    pub const ALL: [Hook; 4] = [
        Hook::AfterWrite,
        Hook::BeforeWrite,
        Hook::AfterDelete,
        Hook::BeforeDelete,
    ];

    pub fn parse(s: &str) -> Option<Hook> {
        Hook::ALL.into_iter().find(|h| h.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Hook::BeforeWrite => "before_write",
            Hook::AfterWrite => "after_write",
            Hook::BeforeDelete => "before_delete",
            Hook::AfterDelete => "after_delete",
        }
    }

    /// `before_*` hooks run inside the transaction and may veto it.
    pub fn is_sync(self) -> bool {
        matches!(self, Hook::BeforeWrite | Hook::BeforeDelete)
    }

    fn index(self) -> usize {
        match self {
            Hook::BeforeWrite => 0,
            Hook::AfterWrite => 1,
            Hook::BeforeDelete => 2,
            Hook::AfterDelete => 3,
        }
    }
}

/// One active webhook that can fire, compiled.
#[derive(Debug)]
pub struct Webhook {
    pub id: String,
    pub entity: String,
    pub hook: Hook,
    pub url: String,
    pub method: String,
    /// Header name → value template (12 §9.3).
    pub headers: Value,
    pub condition: Compiled,
    pub max_attempts: i64,
}

/// The webhooks of one entity, by hook, in load order.
#[derive(Debug, Default)]
pub struct EntityHooks([Vec<Arc<Webhook>>; 4]);

impl EntityHooks {
    pub fn of(&self, hook: Hook) -> &[Arc<Webhook>] {
        &self.0[hook.index()]
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }

    /// True when `after_write` hooks need the full written record.
    pub fn wants_record(&self) -> bool {
        !self.of(Hook::AfterWrite).is_empty()
    }
}

/// The webhooks that can fire, by entity: active ones whose dispatch mode matches
/// their hook (a `before_*` hook left `async`, or an `after_*` one made synchronous,
/// never fires, 12 §7).
pub fn compile(rows: &[WebhookRow]) -> HashMap<String, EntityHooks> {
    let mut out: HashMap<String, EntityHooks> = HashMap::new();
    for r in rows.iter().filter(|r| r.def.active) {
        let Some(hook) = Hook::parse(&r.def.hook) else {
            continue;
        };
        if hook.is_sync() == r.def.is_async {
            continue;
        }
        let w = Webhook {
            id: r.id.clone(),
            entity: r.def.entity.clone(),
            hook,
            url: r.def.url.clone(),
            method: r.def.method.clone(),
            headers: r.def.headers.clone(),
            condition: Compiled::new(Some(&Value::String(r.def.condition.clone()))),
            max_attempts: r.def.max_attempts(),
        };
        out.entry(w.entity.clone()).or_default().0[hook.index()].push(Arc::new(w));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::webhooks::WebhookDef;

    fn row(id: &str, hook: &str, is_async: bool, active: bool) -> WebhookRow {
        WebhookRow {
            id: id.into(),
            def: WebhookDef {
                entity: "order".into(),
                hook: hook.into(),
                url: "http://x".into(),
                is_async,
                active,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn only_active_hooks_whose_mode_matches_fire() {
        let m = compile(&[
            row("a", "after_write", true, true),
            row("b", "after_write", false, true),
            row("c", "before_write", false, true),
            row("d", "before_write", true, true),
            row("e", "after_delete", true, false),
            row("f", "before_delete", false, true),
            row("g", "sometimes", true, true),
        ]);
        let h = &m["order"];
        let ids = |k| h.of(k).iter().map(|w| w.id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids(Hook::AfterWrite), ["a"]);
        assert_eq!(ids(Hook::BeforeWrite), ["c"]);
        assert_eq!(ids(Hook::BeforeDelete), ["f"]);
        assert!(ids(Hook::AfterDelete).is_empty());
        assert!(!h.is_empty());
        assert!(EntityHooks::default().is_empty());
        assert_eq!(h.of(Hook::AfterWrite)[0].max_attempts, 3);
    }

    #[test]
    fn hooks_parse_and_print() {
        for h in Hook::ALL {
            assert_eq!(Hook::parse(h.as_str()), Some(h));
        }
        assert_eq!(Hook::parse("After_write"), None);
        assert!(Hook::BeforeDelete.is_sync() && !Hook::AfterDelete.is_sync());
    }
}
