//! How a command fails: one line on standard error (`error: …`, never a chain of
//! causes or a backtrace) and an exit code: 2 for usage errors, 1 for the rest.

use rocket_engine::config::ConfigError;
use rocket_engine::EngineError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line is wrong in a way clap cannot see.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Start(#[from] rocket_engine::platform::StartError),
    #[error("{0}")]
    Server(#[from] rocket_server::StartError),
    #[error("{}", engine_text(.0))]
    Engine(#[from] EngineError),
    /// Anything else that failed: a file, a conflict, a refused import.
    #[error("{0}")]
    Failed(String),
}

pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }

    /// The message on one line: a multi-line text (a YAML syntax error with its
    /// source snippet) keeps its first line, which names the place and the problem.
    pub fn line(&self) -> String {
        let text = self.to_string();
        let first = text.lines().map(str::trim).find(|l| !l.is_empty());
        first.unwrap_or("failed").replace(": error: ", ": ")
    }
}

/// Engine errors as an operator should read them: validation details spelled out,
/// internal causes shown (this is the operator's own terminal, not an HTTP client).
fn engine_text(e: &EngineError) -> String {
    match e {
        EngineError::Validation(details) => {
            let each: Vec<String> = details
                .iter()
                .map(|d| match d.field.as_str() {
                    "" => d.message.clone(),
                    f => format!("{f}: {}", d.message),
                })
                .collect();
            format!("validation failed: {}", each.join("; "))
        }
        EngineError::Internal(m) => format!("internal error: {m}"),
        EngineError::Unavailable(m) => format!("database unavailable: {m}"),
        other => other.to_string(),
    }
}

/// A failed file operation, naming the file.
pub fn file_error(what: &str, path: &std::path::Path, e: std::io::Error) -> CliError {
    CliError::Failed(format!("cannot {what} {}: {e}", path.display()))
}
