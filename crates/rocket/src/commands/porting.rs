//! `rocket export` and `rocket import` (spec 14) through the engine's porting
//! module; `--dry-run` prints the engine's [`Plan`] and writes nothing.

use std::path::{Path, PathBuf};

use rocket_engine::porting::{self, plan::Item, Action, Plan};
use rocket_engine::Platform;
use serde_json::{Map, Value};

use super::{print_json, write_json};
use crate::error::{file_error, CliError, CliResult};
use crate::progress::Bar;

pub async fn export(p: &Platform, app: &str, output: Option<PathBuf>) -> CliResult {
    let app = p.app(app).await?;
    let doc = porting::export(&app).await?;
    write_json(&doc, output.as_deref())
}

pub async fn import(p: &Platform, app: &str, file: &Path, dry_run: bool, json: bool) -> CliResult {
    let doc = read_document(file)?;
    let app = p.app(app).await?;
    let plan = porting::plan(&app, doc.clone()).await?;
    if dry_run {
        if json {
            print_json(&plan)?;
        } else {
            print_plan(&plan);
        }
        return match plan.problems() {
            0 => Ok(()),
            n => Err(CliError::Failed(format!(
                "{n} conflict(s) or invalid item(s): the import would not apply the document as written"
            ))),
        };
    }
    let conflicts: Vec<&Item> = plan
        .items
        .iter()
        .filter(|i| i.action == Action::Conflict)
        .collect();
    for c in &conflicts {
        eprintln!("warning: {} {}: {}", c.kind, c.name, c.reason);
    }
    let bar = Bar::new();
    let report = porting::import_with(p, &app, doc, &bar).await;
    bar.finish();
    let report = report?;
    if json {
        print_json(&report)?;
    } else {
        print_report(&report);
    }
    let errors = report["errors"].as_array().map_or(0, Vec::len);
    if errors + conflicts.len() > 0 {
        return Err(CliError::Failed(format!(
            "import finished with {errors} error(s) and {} conflict(s)",
            conflicts.len()
        )));
    }
    Ok(())
}

/// The export document in `file` (`-`: standard input), as a JSON object.
fn read_document(file: &Path) -> CliResult<Map<String, Value>> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| file_error("read", file, e))?
    } else {
        std::fs::read_to_string(file).map_err(|e| file_error("read", file, e))?
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(doc)) => Ok(doc),
        Ok(_) => Err(CliError::Failed(format!(
            "{} is not an export document (a JSON object)",
            file.display()
        ))),
        Err(e) => Err(CliError::Failed(format!(
            "{} is not valid JSON: {e}",
            file.display()
        ))),
    }
}

fn print_plan(plan: &Plan) {
    let mut kind = "";
    for i in &plan.items {
        if i.kind != kind {
            kind = i.kind;
            out!("{kind}:");
        }
        let name = if i.name.is_empty() {
            "(no name)"
        } else {
            &i.name
        };
        match i.reason.as_str() {
            "" => out!("  {:<10}{name}", i.action.as_str()),
            r => out!("  {:<10}{name}  ({r})", i.action.as_str()),
        }
    }
    if !plan.sample_data.is_empty() {
        out!("sample_data:");
    }
    for r in &plan.sample_data {
        out!(
            "  {}: {} to create, {} to skip, {} invalid",
            r.table,
            r.create,
            r.skip,
            r.invalid
        );
    }
    let count = |a: Action| plan.items.iter().filter(|i| i.action == a).count();
    let rows = |f: fn(&porting::plan::Rows) -> usize| plan.sample_data.iter().map(f).sum::<usize>();
    out!(
        "dry run: {} to create, {} to skip, {} to overwrite, {} conflict(s), {} invalid; \
         sample rows: {} to create, {} to skip, {} invalid. Nothing was changed.",
        count(Action::Create),
        count(Action::Skip),
        count(Action::Overwrite),
        count(Action::Conflict),
        count(Action::Invalid),
        rows(|r| r.create),
        rows(|r| r.skip),
        rows(|r| r.invalid),
    );
}

fn print_report(report: &Value) {
    out!(
        "{}",
        report["message"].as_str().unwrap_or("Import completed")
    );
    if let Some(summary) = report["summary"].as_object() {
        for (k, v) in summary {
            out!("  {k:<16}{v}");
        }
    }
    if let Some(errors) = report["errors"].as_array() {
        out!("errors:");
        for e in errors {
            out!("  {}", e.as_str().unwrap_or_default());
        }
    }
}
