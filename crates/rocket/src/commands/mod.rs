//! The commands other than `serve`, one module per group. Each prints its result on
//! standard output (JSON where a program reads it) and returns a [`CliResult`].
//!
//! [`CliResult`]: crate::error::CliResult

/// `println!` that never panics: output to a closed pipe (`rocket app list | head
/// -1`) is dropped, as other command-line tools do.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

pub mod apps;
pub mod config;
pub mod openapi;
pub mod porting;
pub mod users;

use std::io::Write;

use serde::Serialize;

use crate::error::{CliError, CliResult};

/// Pretty JSON and a newline on standard output.
pub fn print_json(v: &impl Serialize) -> CliResult {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| CliError::Failed(format!("cannot encode the output: {e}")))?;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Failed(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Pretty JSON into `path`, or on standard output when there is none.
pub fn write_json(v: &impl Serialize, path: Option<&std::path::Path>) -> CliResult {
    let Some(path) = path else {
        return print_json(v);
    };
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| CliError::Failed(format!("cannot encode the output: {e}")))?;
    std::fs::write(path, format!("{text}\n"))
        .map_err(|e| crate::error::file_error("write", path, e))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Rows as aligned columns under a header.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}
