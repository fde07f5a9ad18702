//! A spinner on stderr while cargo works (drawn only on a terminal).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A running spinner.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Starts a spinner with `message`.
    pub fn start(message: String) -> Progress {
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
            bar.set_style(style);
        }
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// Replaces the message.
    pub fn set(&self, message: String) {
        self.bar.set_message(message);
    }

    /// Removes the spinner (cargo's own output stays).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
