//! `rocket user …` (app users, `_users` of the app's database) and
//! `rocket platform-user …` (`_platform_users` of the management database).
//! Setting a password or disabling a user also ends the user's sessions (their
//! refresh tokens are deleted).

use std::io::BufRead;

use rocket_engine::auth::accounts::{self, Account};
use rocket_engine::auth::{tokens, users};
use rocket_engine::Platform;
use serde_json::{json, Map, Value};

use super::{print_json, print_table};
use crate::args::{AppUser, PasswordArgs, PlatformUserCommand, UserCommand};
use crate::error::{CliError, CliResult};

impl PasswordArgs {
    /// The password given, or the first line of standard input (without its line end).
    fn read(self) -> CliResult<String> {
        if let Some(pw) = self.password {
            return Ok(pw);
        }
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::Failed(format!("cannot read the password: {e}")))?;
        let end = line.trim_end_matches(['\n', '\r']).len();
        line.truncate(end);
        Ok(line)
    }
}

pub async fn app(p: &Platform, c: UserCommand) -> CliResult {
    match c {
        UserCommand::List { app, json } => {
            let a = p.app(&app).await?;
            show(accounts::list(&a.store, tokens::APP).await?, json)
        }
        UserCommand::Create {
            user: AppUser { app, email },
            password,
            roles,
        } => {
            let a = p.app(&app).await?;
            let mut body = Map::new();
            body.insert("email".into(), Value::String(email));
            body.insert("password".into(), Value::String(password.read()?));
            body.insert("roles".into(), json!(roles));
            let user = users::create(&a.store, &body).await?;
            out!(
                "created user {} in app {app} (id {}, roles: {})",
                user.email,
                user.id,
                roles_text(&user.roles)
            );
            Ok(())
        }
        UserCommand::SetPassword {
            user: AppUser { app, email },
            password,
        } => {
            let a = p.app(&app).await?;
            accounts::set_password(&a.store, tokens::APP, &email, &password.read()?).await?;
            out!("set the password of {email} in app {app}; their sessions ended");
            Ok(())
        }
        UserCommand::Disable {
            user: AppUser { app, email },
        } => {
            let a = p.app(&app).await?;
            accounts::set_active(&a.store, tokens::APP, &email, false).await?;
            out!("disabled {email} in app {app}; their sessions ended");
            Ok(())
        }
        UserCommand::Enable {
            user: AppUser { app, email },
        } => {
            let a = p.app(&app).await?;
            accounts::set_active(&a.store, tokens::APP, &email, true).await?;
            out!("enabled {email} in app {app}");
            Ok(())
        }
    }
}

pub async fn platform(p: &Platform, c: PlatformUserCommand) -> CliResult {
    match c {
        PlatformUserCommand::List { json } => {
            show(accounts::list(&p.mgmt, tokens::PLATFORM).await?, json)
        }
        PlatformUserCommand::SetPassword { email, password } => {
            let pw = password.read()?;
            accounts::set_password(&p.mgmt, tokens::PLATFORM, &email, &pw).await?;
            out!("set the password of platform user {email}; their sessions ended");
            Ok(())
        }
    }
}

fn roles_text(roles: &[String]) -> String {
    if roles.is_empty() {
        "none".into()
    } else {
        roles.join(",")
    }
}

fn show(list: Vec<Account>, json: bool) -> CliResult {
    if json {
        return print_json(&list);
    }
    if list.is_empty() {
        eprintln!("no users");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .into_iter()
        .map(|u| {
            let state = if u.active { "active" } else { "disabled" };
            vec![u.email, roles_text(&u.roles), state.into(), u.id]
        })
        .collect();
    print_table(&["EMAIL", "ROLES", "STATE", "ID"], &rows);
    Ok(())
}
