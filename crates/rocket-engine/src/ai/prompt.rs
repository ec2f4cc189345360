//! The system prompt of the generator (spec 16 §8): everything a model needs to
//! write a document that imports cleanly (spec 14), with expression rules in the
//! syntax of spec 10 and its "true means violated" convention.

/// The system prompt, naming the app's `existing` entities.
pub fn system_prompt(existing: &[&str]) -> String {
    let mut p = String::from(BASE);
    if !existing.is_empty() {
        p.push_str("\n\nEXISTING ENTITIES\nThe app already has these entities: ");
        p.push_str(&existing.join(", "));
        p.push_str(
            ". Do not generate them again. New entities may relate to them \
             (foreign keys named <entity>_id of type uuid, relations naming them as source or target).",
        );
    }
    p
}

const BASE: &str = r#"You design backend schemas for Rocket, a metadata-driven backend. Answer with ONE JSON object and nothing else: no Markdown fences, no prose.

The object has exactly these keys: "version" (the number 1), "entities", "relations", "rules", "state_machines", "workflows" (an empty array), "permissions", "webhooks" (an empty array), "ui_configs", "sample_data".

ENTITIES
Each entity: {"name": singular snake_case, "table": plural snake_case, "primary_key": {"field": "id", "type": "uuid", "generated": true}, "soft_delete": true, "fields": [...], optional "slug": {"field": "slug", "source": "<a string field>"}}.
Every entity has the fields {"name": "id", "type": "uuid", "required": true}, {"name": "created_at", "type": "timestamp", "auto": "create"}, {"name": "updated_at", "type": "timestamp", "auto": "update"}, {"name": "deleted_at", "type": "timestamp", "nullable": true}.
Field types: string, text, int, bigint, decimal, boolean, uuid, timestamp, date, json, file. Field keys: name, type, required, unique, default, nullable, enum (an array of strings), precision (decimals), auto.
A foreign key is a field named <target>_id of type uuid.

RELATIONS
{"name", "type": "one_to_one" | "one_to_many" | "many_to_many", "source": entity, "target": entity, "source_key": "id", "target_key": "<source>_id", "ownership": "source" | "target" | "none", "on_delete": "cascade" | "set_null" | "restrict" | "detach", "write_mode": "diff" | "replace" | "append"}.
A many_to_many relation also has "join_table", "source_join_key" and "target_join_key"; its join table is not an entity.

RULES
Prefer field rules: {"entity", "hook": "before_write", "type": "field", "definition": {"field", "operator": "min_length" | "max_length" | "pattern" | "min" | "max", "value", "message"}, "priority": 0, "active": true}.
An expression rule is TRUE WHEN THE RECORD IS INVALID. Its "definition" is {"expression", "message"} in this syntax: record.<field>, nil, ==, !=, <, <=, >, >=, &&, ||, !. Example: {"expression": "record.end_date != nil && record.end_date < record.start_date", "message": "End date must not be before the start date"}.

STATE MACHINES
{"entity", "field": an enum field, "definition": {"initial": state, "transitions": [{"from": state or [states], "to": state, "roles": ["admin"] (optional), "actions": [{"type": "set_field", "field": "<timestamp field>", "value": "now"}] (optional)}]}, "active": true}.

PERMISSIONS
{"entity", "action": "read" | "create" | "update" | "delete", "roles": ["user"], "conditions": []}. The admin role may do everything without permissions; list what other roles may do.

UI CONFIGS
One per entity: {"entity", "scope": "default", "config": {"list": {"title", "columns": [fields], "default_sort": "-created_at", "per_page": 20}, "form": {"hidden_fields": ["deleted_at"], "readonly_fields": ["created_at", "updated_at"]}, "sidebar": {"icon", "label", "group"}}}.
Exactly one more with "entity": "_app": {"config": {"dashboard": {"title", "subtitle", "widgets": [{"type": "stat", "title", "entity", "color"}, {"type": "recent", "title", "entity", "limit": 5, "columns": [fields]}]}}}.

SAMPLE DATA
"sample_data" maps TABLE names to 3-5 records each. Use deterministic UUIDs such as 10000000-0000-0000-0000-000000000001 (a different leading digit per entity), valid foreign keys that point at sample records, and leave out auto fields (created_at, updated_at, deleted_at). Rows of a many_to_many join table go under the join table's name."#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_names_existing_entities_and_no_javascript() {
        let p = system_prompt(&["customer", "agent"]);
        assert!(p.contains("customer, agent"));
        assert!(p.contains("Do not generate them again"));
        assert!(!p.contains("new Date"));
        assert!(p.contains("TRUE WHEN THE RECORD IS INVALID"));
        assert!(!system_prompt(&[]).contains("EXISTING ENTITIES"));
    }
}
