//! TensorBoard event files beside `metrics.jsonl`: every metric of every split per epoch, the
//! learning rate and the throughput as scalars, the training config as text, so that
//! `tensorboard --logdir runs/` shows ember's runs.
//!
//! The file is TFRecord-framed (`u64` length, masked CRC-32C of the length, the `Event`
//! protobuf, masked CRC-32C of it). Each run or resumption writes a new, append-only file
//! (`events.out.tfevents.<seconds>.<pid>.<n>.ember`) holding the run's whole history, then one event
//! per epoch, and removes the files of earlier sessions: a resumed run holds every epoch once,
//! and a TensorBoard already watching reads the new file (its steps start again at 1, which
//! TensorBoard takes as a restart and purges what it showed after them).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ember_core::protobuf::{Message, crc32c};

use crate::TrainError;
use crate::checkpoint::write_file_atomically;
use crate::history::{EpochRecord, History};

/// What every event file ember writes starts with (TensorBoard reads `*tfevents*` files).
const PREFIX: &str = "events.out.tfevents.";
/// What it ends with, so that ember removes only its own files.
const SUFFIX: &str = ".ember";

/// The event files ember wrote into `dir`, oldest first (empty when there are none).
///
/// ```
/// assert!(ember_train::event_files("no/such/dir".as_ref()).is_empty());
/// ```
pub fn event_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    files.sort();
    files
}

/// Removes the event files ember wrote into `dir` (when TensorBoard output is switched off, so
/// that an old run's curves are not shown as this one's).
pub(crate) fn remove_event_files(dir: &Path) -> Result<(), TrainError> {
    for path in event_files(dir) {
        std::fs::remove_file(&path).map_err(TrainError::io(&path))?;
    }
    Ok(())
}

/// The event file of one run session.
pub(crate) struct EventLog {
    dir: PathBuf,
    path: PathBuf,
    config: String,
}

impl EventLog {
    /// The log in `dir` of a run with this config (shown as text).
    pub fn new(dir: &Path, config: String) -> Self {
        static SESSIONS: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{PREFIX}{:010}.{}.{}{SUFFIX}",
            wall_time() as u64,
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::Relaxed)
        );
        Self {
            dir: dir.to_path_buf(),
            path: dir.join(name),
            config,
        }
    }

    /// Writes this session's file with the file version, the config and every epoch of
    /// `history`, then removes the files of earlier sessions.
    pub fn restart(&self, history: &History) -> Result<(), TrainError> {
        let now = wall_time();
        // The epochs' wall times, back from now by their elapsed seconds.
        let last = history.last().map_or(0.0, |e| e.elapsed_s);
        let mut bytes = record(&Message::new().double(1, now).string(3, "brain.Event:2"));
        let config = Message::new().message(1, &text("config", &self.config));
        bytes.extend(record(&event(now - last, 0, &config)));
        for epoch in &history.epochs {
            let at = now - (last - epoch.elapsed_s);
            bytes.extend(record(&event(at, epoch.epoch, &scalars(epoch))));
        }
        for old in event_files(&self.dir) {
            if old != self.path {
                std::fs::remove_file(&old).map_err(TrainError::io(&old))?;
            }
        }
        write_file_atomically(&self.path, |f| f.write_all(&bytes))
    }

    /// Appends the newest epoch of `history` (making the file again if it was deleted).
    pub fn append(&self, history: &History) -> Result<(), TrainError> {
        let Some(last) = history.last() else {
            return Ok(());
        };
        let bytes = record(&event(wall_time(), last.epoch, &scalars(last)));
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| {
                f.write_all(&bytes)?;
                f.sync_data()
            })
            .map_err(TrainError::io(&self.path))
    }
}

/// The epoch's scalars: `train/<metric>`, `valid/<metric>`, `learning_rate` and
/// `samples_per_s` (the training throughput, as the progress line shows it).
fn scalars(epoch: &EpochRecord) -> Message {
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
    if epoch.samples_per_s > 0.0 {
        summary = summary.message(1, &scalar("samples_per_s", epoch.samples_per_s));
    }
    summary
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
