//! Progress on standard output: an epoch bar and a batch bar on a terminal, one tidy line per
//! epoch otherwise (never a line per batch).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{EpochRecord, Progress};

/// Shows a run's progress in the chosen way.
pub(crate) enum Reporter {
    Off,
    Lines {
        epochs: usize,
    },
    Bars {
        multi: MultiProgress,
        epoch_bar: ProgressBar,
        batch_bar: ProgressBar,
        epoch_start: Instant,
        last_draw: Instant,
    },
}

impl Reporter {
    pub fn new(mode: Progress, epochs: usize, first_epoch: usize) -> Self {
        let bars = match mode {
            Progress::Off => return Self::Off,
            Progress::Lines => false,
            Progress::Bars => true,
            Progress::Auto => std::io::stdout().is_terminal(),
        };
        if !bars {
            return Self::Lines { epochs };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stdout_with_hz(10));
        let epoch_bar = multi.add(ProgressBar::new(epochs as u64));
        epoch_bar.set_style(
            ProgressStyle::with_template("epoch {pos:>4}/{len:4} [{bar:30.cyan/blue}] eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        epoch_bar.set_position(first_epoch as u64);
        let batch_bar = multi.add(ProgressBar::new(0));
        batch_bar.set_style(
            ProgressStyle::with_template(
                "batch {pos:>5}/{len:5} [{bar:30.green/white}] {msg} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Self::Bars {
            multi,
            epoch_bar,
            batch_bar,
            epoch_start: Instant::now(),
            last_draw: Instant::now(),
        }
    }

    pub fn start_epoch(&mut self, n_batches: usize) {
        if let Self::Bars {
            batch_bar,
            epoch_start,
            ..
        } = self
        {
            batch_bar.reset();
            batch_bar.set_length(n_batches as u64);
            *epoch_start = Instant::now();
        }
    }

    /// Whether the batch bar is due for a redraw (bars only, at most ten times a second).
    pub fn wants_update(&self) -> bool {
        match self {
            Self::Bars { last_draw, .. } => last_draw.elapsed() >= Duration::from_millis(100),
            _ => false,
        }
    }

    /// After a batch: `loss` and `accuracy` are the epoch's running means so far.
    pub fn batch(&mut self, done: usize, samples: usize, loss: f64, accuracy: Option<f64>) {
        if let Self::Bars {
            batch_bar,
            epoch_start,
            last_draw,
            ..
        } = self
        {
            batch_bar.set_position(done as u64);
            if last_draw.elapsed() < Duration::from_millis(100) {
                return;
            }
            *last_draw = Instant::now();
            let rate = samples as f64 / epoch_start.elapsed().as_secs_f64().max(1e-9);
            let metric = accuracy
                .map(|a| format!(" accuracy {a:.4}"))
                .unwrap_or_default();
            batch_bar.set_message(format!("loss {loss:.4}{metric} {}", per_second(rate)));
        }
    }

    pub fn end_epoch(&mut self, record: &EpochRecord, samples_per_s: f64) {
        match self {
            Self::Off => {}
            Self::Lines { epochs } => println!("{}", line(record, *epochs, samples_per_s)),
            Self::Bars {
                multi, epoch_bar, ..
            } => {
                let epochs = epoch_bar.length().unwrap_or(0) as usize;
                let _ = multi.println(line(record, epochs, samples_per_s));
                epoch_bar.set_position(record.epoch as u64);
            }
        }
    }

    pub fn finish(&mut self) {
        if let Self::Bars {
            epoch_bar,
            batch_bar,
            ..
        } = self
        {
            batch_bar.finish_and_clear();
            epoch_bar.finish_and_clear();
        }
    }
}

fn per_second(rate: f64) -> String {
    if rate >= 1e6 {
        format!("{:.2} M samples/s", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:.1} k samples/s", rate / 1e3)
    } else {
        format!("{rate:.0} samples/s")
    }
}

/// The names of the metrics ember computes itself.
const BUILT_IN: [&str; 9] = [
    "loss",
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "log_loss",
    "mse",
    "rmse",
    "mae",
    "r2",
];

/// `epoch   3/20  train loss 0.1234 accuracy 0.9712 │ valid loss 0.1301 accuracy 0.9650 │ lr 1.00e-3 │ 95.1 k samples/s │ 4.2 s`
pub(crate) fn line(record: &EpochRecord, epochs: usize, samples_per_s: f64) -> String {
    let width = epochs.to_string().len();
    let metrics = |m: &std::collections::BTreeMap<String, f64>| {
        let mut parts = vec![format!(
            "loss {:.4}",
            m.get("loss").copied().unwrap_or(f64::NAN)
        )];
        // Accuracy or R², and a user's own metrics (the other built-in scores stay in
        // metrics.jsonl, to keep the line short).
        for (key, v) in m {
            if key == "accuracy" || key == "r2" || !BUILT_IN.contains(&key.as_str()) {
                parts.push(format!("{key} {v:.4}"));
            }
        }
        parts.join(" ")
    };
    let mut out = format!(
        "epoch {:>width$}/{epochs}  train {}",
        record.epoch,
        metrics(&record.train)
    );
    if let Some(valid) = &record.valid {
        out.push_str(&format!(" | valid {}", metrics(valid)));
    }
    out.push_str(&format!(
        " | lr {:.2e} | {} | {:.1} s",
        record.learning_rate,
        per_second(samples_per_s),
        record.elapsed_s
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_is_one_tidy_line() {
        let record = EpochRecord {
            epoch: 3,
            learning_rate: 1e-3,
            elapsed_s: 4.25,
            samples_per_s: 0.0,
            train: [("loss".into(), 0.12345), ("accuracy".into(), 0.97125)].into(),
            valid: Some(
                [
                    ("loss".into(), 0.2),
                    ("accuracy".into(), 0.95),
                    ("f1_macro".into(), 0.9),
                ]
                .into(),
            ),
        };
        assert_eq!(
            line(&record, 20, 95_123.0),
            "epoch  3/20  train loss 0.1235 accuracy 0.9712 | valid loss 0.2000 accuracy 0.9500 | lr 1.00e-3 | 95.1 k samples/s | 4.2 s"
        );
    }
}
