//! The `rocket` command line run against a configuration of its own: a temporary
//! directory with an `app.yaml` for SQLite, or for a fresh Postgres management
//! database (dropped afterwards with every app database it lists).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{postgres_here, Cleanup, Proc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One test's configuration. Processes started from it must be dropped before it.
pub struct Setup {
    pub dialect: Dialect,
    pub config: PathBuf,
    // Dropped before the directory: the databases go first.
    _cleanup: Option<Cleanup>,
    pub dir: tempfile::TempDir,
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// The one `error:` line, after checking there is exactly one and no cause
    /// chain or backtrace.
    #[track_caller]
    pub fn error_line(&self) -> &str {
        for bad in ["Caused by", "backtrace", "panicked", "Error: "] {
            assert!(
                !self.stderr.contains(bad),
                "{bad:?} in stderr: {}",
                self.stderr
            );
        }
        let errors: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(errors.len(), 1, "one error line: {}", self.stderr);
        errors[0]
    }
}

fn quoted(p: &Path) -> String {
    format!("{:?}", p.display().to_string())
}

impl Setup {
    /// `None` when Postgres is unreachable outside CI (in CI that fails the test).
    pub fn new(dialect: Dialect) -> Option<Setup> {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = quoted(&dir.path().join("data"));
        let (database, cleanup) = match dialect {
            Dialect::Sqlite => (format!("  driver: sqlite\n  data_dir: {data}\n"), None),
            Dialect::Postgres => {
                if !postgres_here() {
                    return None;
                }
                let name = format!("rt_{}", rocket_testkit::suffix());
                let env = rocket_testkit::env;
                let db = format!(
                    "  driver: postgres\n  host: {}\n  port: {}\n  user: {}\n  password: {:?}\n  name: {name}\n  data_dir: {data}\n",
                    env("ROCKET_TEST_PG_HOST", "127.0.0.1"),
                    env("ROCKET_TEST_PG_PORT", "5432"),
                    env("ROCKET_TEST_PG_USER", "postgres"),
                    env("ROCKET_TEST_PG_PASSWORD", ""),
                );
                (db, Some(Cleanup(name)))
            }
        };
        let yaml = format!(
            "server:\n  host: 127.0.0.1\ndatabase:\n{database}  pool_size: 4\napp_pool_size: 4\n"
        );
        let config = dir.path().join("app.yaml");
        std::fs::write(&config, yaml).expect("app.yaml written");
        Some(Setup {
            dialect,
            config,
            _cleanup: cleanup,
            dir,
        })
    }

    pub fn driver(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rocket"));
        c.current_dir(self.dir.path())
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env_remove("ROCKET_LOG");
        c
    }

    /// Runs the binary with `args`, feeding `stdin` (never a terminal), for at most
    /// two minutes.
    pub fn run_with_input(&self, args: &[&str], stdin: &str) -> Out {
        let mut c = assert_cmd::Command::from_std(self.command(args));
        c.write_stdin(stdin).timeout(Duration::from_secs(120));
        let out = tokio::task::block_in_place(|| c.output()).expect("binary ran");
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn run(&self, args: &[&str]) -> Out {
        self.run_with_input(args, "")
    }

    /// Runs the binary and asserts success; returns standard output.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.code, 0, "rocket {args:?}: {out:?}");
        out.stdout
    }

    /// Runs the binary, asserts success and reads standard output as JSON.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("rocket {args:?}: {e}: {out}"))
    }

    /// `rocket app create` of a fresh app on this setup's driver; returns its name.
    #[track_caller]
    pub fn new_app(&self) -> String {
        let name = format!("t{}", rocket_testkit::suffix());
        self.ok(&["app", "create", &name, "--driver", self.driver()]);
        name
    }

    /// `rocket serve` on `port` with this configuration.
    pub fn serve(&self, port: u16) -> Proc {
        let port = port.to_string();
        let mut c = self.command(&["serve", "--port", &port]);
        c.env("ROCKET_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        Proc(c.spawn().expect("server starts"))
    }

    /// The banner `rocket serve` prints on `port` (up to its last line); the server is
    /// stopped afterwards.
    pub fn banner(&self, port: u16) -> String {
        use std::io::BufRead;
        let port = port.to_string();
        let mut c = self.command(&["serve", "--port", &port]);
        c.env("ROCKET_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = c.spawn().expect("server starts");
        let out = child.stdout.take().expect("piped stdout");
        let mut text = String::new();
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            text.push_str(&line);
            text.push('\n');
            if line.starts_with("New apps get") {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        text
    }
}
