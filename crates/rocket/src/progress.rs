//! The progress bar of an import's sample data, on standard error. It stays hidden
//! when standard error is not a terminal (logs and pipes get no bar) and when
//! there is nothing to show.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rocket_engine::porting::Progress;

pub struct Bar(ProgressBar);

impl Bar {
    pub fn new() -> Bar {
        Bar(ProgressBar::hidden())
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn start(&self, rows: u64) {
        if rows == 0 || !std::io::stderr().is_terminal() {
            return;
        }
        let style = ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} rows, {per_sec}, {eta} left",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        self.0.set_style(style);
        self.0.set_message("sample data");
        self.0.set_length(rows);
        self.0.set_draw_target(ProgressDrawTarget::stderr());
    }

    fn advance(&self) {
        self.0.inc(1);
    }
}
