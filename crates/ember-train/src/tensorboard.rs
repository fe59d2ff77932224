//! TensorBoard event files beside `metrics.jsonl`: every metric of every split per epoch, the
//! learning rate and the throughput as scalars, the training config as text, so that
//! `tensorboard --logdir runs/` shows ember's runs.
//!
//! The file is TFRecord-framed (`u64` length, masked CRC-32C of the length, the `Event`
//! protobuf, masked CRC-32C of it). Like `metrics.jsonl` it is rewritten from the run's history
//! when a run starts or resumes, then appended each epoch, so a resumed run holds every epoch
//! once.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use ember_core::protobuf::{Message, crc32c};

use crate::TrainError;
use crate::checkpoint::write_file_atomically;
use crate::history::{EpochRecord, History};

/// The event file's name in a run directory (TensorBoard reads every `*tfevents*` file).
pub const EVENT_FILE: &str = "events.out.tfevents.ember";

/// The event file of one run.
pub(crate) struct EventLog {
    path: PathBuf,
    n_train: usize,
    config: String,
}

impl EventLog {
    /// The log in `dir` of a run on `n_train` rows with this config (shown as text).
    pub fn new(dir: &Path, n_train: usize, config: String) -> Self {
        Self {
            path: dir.join(EVENT_FILE),
            n_train,
            config,
        }
    }

    /// Rewrites the file from `history`: the file version, the config, every epoch.
    pub fn restart(&self, history: &History) -> Result<(), TrainError> {
        let now = wall_time();
        let mut bytes = record(&Message::new().double(1, now).string(3, "brain.Event:2"));
        let config = Message::new().message(1, &text("config", &self.config));
        bytes.extend(record(&event(now, 0, &config)));
        let mut previous = 0.0;
        for epoch in &history.epochs {
            bytes.extend(record(&event(
                now,
                epoch.epoch,
                &self.scalars(epoch, previous),
            )));
            previous = epoch.elapsed_s;
        }
        write_file_atomically(&self.path, |f| f.write_all(&bytes))
    }

    /// Appends the newest epoch of `history`.
    pub fn append(&self, history: &History) -> Result<(), TrainError> {
        let Some(last) = history.last() else {
            return Ok(());
        };
        let n = history.epochs.len();
        let previous = if n >= 2 {
            history.epochs[n - 2].elapsed_s
        } else {
            0.0
        };
        let bytes = record(&event(
            wall_time(),
            last.epoch,
            &self.scalars(last, previous),
        ));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .and_then(|mut f| {
                f.write_all(&bytes)?;
                f.sync_data()
            })
            .map_err(TrainError::io(&self.path))
    }

    /// The epoch's scalars: `train/<metric>`, `valid/<metric>`, `learning_rate` and
    /// `samples_per_s` (training rows over the epoch's wall time, validation included).
    fn scalars(&self, epoch: &EpochRecord, previous_elapsed: f64) -> Message {
        let mut summary = Message::new();
        let splits = [
            ("train", Some(&epoch.train)),
            ("valid", epoch.valid.as_ref()),
        ];
        for (split, metrics) in splits {
            for (name, value) in metrics.into_iter().flatten() {
                summary = summary.message(1, &scalar(&format!("{split}/{name}"), *value));
            }
        }
        summary = summary.message(1, &scalar("learning_rate", epoch.learning_rate));
        let seconds = epoch.elapsed_s - previous_elapsed;
        if seconds > 0.0 {
            let rate = self.n_train as f64 / seconds;
            summary = summary.message(1, &scalar("samples_per_s", rate));
        }
        summary
    }
}

fn wall_time() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `Event { wall_time = 1, step = 2, summary = 5 }`.
fn event(wall_time: f64, step: usize, summary: &Message) -> Message {
    Message::new()
        .double(1, wall_time)
        .int64(2, step as i64)
        .message(5, summary)
}

/// `Summary.Value { tag = 1, simple_value = 2 }`.
fn scalar(tag: &str, value: f64) -> Message {
    Message::new().string(1, tag).float(2, value as f32)
}

/// A `Summary.Value` of TensorBoard's text plugin: a scalar string tensor.
fn text(tag: &str, body: &str) -> Message {
    let plugin = Message::new().string(1, "text");
    let metadata = Message::new().message(1, &plugin);
    // TensorProto { dtype = DT_STRING (7), tensor_shape = {} , string_val = 8 }
    let tensor = Message::new()
        .int64(1, 7)
        .message(2, &Message::new())
        .bytes(8, body.as_bytes());
    Message::new()
        .string(1, tag)
        .message(9, &metadata)
        .message(8, &tensor)
}

/// One TFRecord: length, its masked CRC, the data, its masked CRC.
fn record(message: &Message) -> Vec<u8> {
    let data = message.clone().into_bytes();
    let length = (data.len() as u64).to_le_bytes();
    let mut out = Vec::with_capacity(data.len() + 16);
    out.extend_from_slice(&length);
    out.extend_from_slice(&masked(crc32c(&length)).to_le_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(&masked(crc32c(&data)).to_le_bytes());
    out
}

/// TFRecord's masked CRC: rotated right by 15 bits, plus a constant.
fn masked(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}
