//! The command line, as clap reads it (docs/cli.md). Usage errors exit with 2.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "rocket", version, about = "Metadata-driven backend engine")]
pub struct Cli {
    /// Configuration file (default: ./app.yaml, then ../../app.yaml, when present).
    #[arg(long, short, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default).
    Serve {
        /// Port to listen on; overrides the configuration.
        #[arg(long)]
        port: Option<u16>,
    },
    /// List, create and delete apps.
    #[command(subcommand)]
    App(AppCommand),
    /// Write an app's schema as an export document (JSON).
    Export {
        #[arg(long)]
        app: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Import an export document into an app; `--dry-run` only shows what it would do.
    Import {
        #[arg(long)]
        app: String,
        /// The export document (`-` reads standard input).
        file: PathBuf,
        /// Show what would be created, skipped or in conflict; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the plan or the import's report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Manage the users of an app.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage platform users (the management database).
    #[command(subcommand)]
    PlatformUser(PlatformUserCommand),
    /// Print an OpenAPI 3.1 document: an app's (as its admins see it, or as users
    /// with `--roles` see it) or the platform's.
    Openapi {
        #[command(flatten)]
        target: OpenapiTarget,
        /// The view of users with these roles (comma-separated) instead of an admin's.
        #[arg(long, value_delimiter = ',', conflicts_with = "platform")]
        roles: Option<Vec<String>>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Print the configuration in effect (secrets masked), the file it came from and
    /// its warnings; exits with 1 when it is invalid.
    CheckConfig {
        #[arg(long, value_enum, default_value_t = Format::Yaml)]
        format: Format,
    },
}

#[derive(Subcommand)]
pub enum AppCommand {
    /// List the apps.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Create an app with its database and its seeded admin.
    Create {
        name: String,
        /// Database driver of the app (default: `database.driver`).
        #[arg(long, value_enum)]
        driver: Option<DriverArg>,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Delete an app and drop its database (cannot be undone).
    Delete {
        name: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
}

/// The app user a command is about.
#[derive(clap::Args)]
pub struct AppUser {
    #[arg(long)]
    pub app: String,
    #[arg(long)]
    pub email: String,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// List the users of an app.
    List {
        #[arg(long)]
        app: String,
        #[arg(long)]
        json: bool,
    },
    /// Create a user.
    Create {
        #[command(flatten)]
        user: AppUser,
        #[command(flatten)]
        password: PasswordArgs,
        /// Roles, comma-separated (e.g. `admin,editor`).
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
    },
    /// Set a user's password and end their sessions.
    SetPassword {
        #[command(flatten)]
        user: AppUser,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Disable a user (login refused) and end their sessions.
    Disable {
        #[command(flatten)]
        user: AppUser,
    },
    /// Enable a disabled user.
    Enable {
        #[command(flatten)]
        user: AppUser,
    },
}

#[derive(Subcommand)]
pub enum PlatformUserCommand {
    /// List the platform users.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a platform user's password and end their sessions.
    SetPassword {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
}

/// Which document `rocket openapi` prints.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct OpenapiTarget {
    #[arg(long)]
    pub app: Option<String>,
    /// The platform API (`/api/_platform/…`).
    #[arg(long)]
    pub platform: bool,
}

/// Where a new password comes from: the command line, or the first line of
/// standard input (kept out of shell history and process lists).
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct PasswordArgs {
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DriverArg {
    Sqlite,
    Postgres,
}

impl DriverArg {
    pub fn as_str(self) -> &'static str {
        match self {
            DriverArg::Sqlite => "sqlite",
            DriverArg::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}
