//! `rocket app list|create|delete`: the apps lifecycle of the platform API
//! (spec 12 §4), on the management database.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use rocket_engine::platform::apps;
use rocket_engine::{EngineError, Platform};
use serde_json::{Map, Value};

use super::{print_json, print_table};
use crate::args::{AppCommand, DriverArg};
use crate::error::{CliError, CliResult};

pub async fn run(p: &Arc<Platform>, c: AppCommand) -> CliResult {
    match c {
        AppCommand::List { json } => list(p, json).await,
        AppCommand::Create {
            name,
            driver,
            display_name,
        } => create(p, name, driver, display_name).await,
        AppCommand::Delete { name, yes } => delete(p, &name, yes).await,
    }
}

async fn list(p: &Platform, json: bool) -> CliResult {
    let rows = apps::list(p).await?;
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        eprintln!("no apps");
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .into_iter()
        .map(|a| {
            vec![
                a.name,
                a.db_driver,
                a.db_name,
                a.status,
                a.stamps.created_at.unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["NAME", "DRIVER", "DATABASE", "STATUS", "CREATED"], &cells);
    Ok(())
}

async fn create(
    p: &Arc<Platform>,
    name: String,
    driver: Option<DriverArg>,
    display_name: Option<String>,
) -> CliResult {
    let mut body = Map::new();
    body.insert("name".into(), Value::String(name));
    if let Some(d) = driver {
        body.insert("db_driver".into(), Value::String(d.as_str().into()));
    }
    if let Some(d) = display_name {
        body.insert("display_name".into(), Value::String(d));
    }
    let created = apps::create(p, body).await?;
    let text = |k: &str| created[k].as_str().unwrap_or("").to_string();
    out!(
        "created app {} ({} database {})",
        text("name"),
        text("db_driver"),
        text("db_name")
    );
    out!("its admin is admin@localhost / changeme: change that password");
    Ok(())
}

async fn delete(p: &Platform, name: &str, yes: bool) -> CliResult {
    // The engine's not-found text is the HTTP one; name the app plainly here.
    if let Err(EngineError::NotFound(_)) = apps::get(p, name).await {
        return Err(CliError::Failed(format!("App not found: {name}")));
    }
    if !yes && !confirmed(name)? {
        return Err(CliError::Failed("not deleted".into()));
    }
    apps::delete(p, name).await?;
    out!("deleted app {name} and its database");
    Ok(())
}

/// Asks on the terminal; without one, `--yes` is required.
fn confirmed(name: &str) -> CliResult<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "deleting app {name} drops its database: pass --yes to confirm"
        )));
    }
    eprint!("Delete app {name} and drop its database? This cannot be undone. Type the app name to confirm: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Failed(format!("cannot read the answer: {e}")))?;
    Ok(answer.trim() == name)
}
