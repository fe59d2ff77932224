//! Checkpoints: one directory per epoch (`checkpoints/epoch-000007/`) holding the model, the
//! optimizer state, the best weights so far and the run's state, written under a temporary
//! name, synced and renamed into place, so a run killed at any instant leaves only whole
//! checkpoints.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};

use crate::History;
use crate::TrainError;
use crate::monitor::WatchState;
use crate::schedule::ScheduleState;

/// The part of a run that is not tensors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunState {
    /// The hyper-parameters the run was started with (but the number of epochs) and its
    /// data's fingerprint, to refuse resuming a different run.
    pub fingerprint: serde_json::Value,
    /// Epochs completed.
    pub epoch: usize,
    pub history: History,
    pub schedule: ScheduleState,
    /// The early-stopping watch.
    #[serde(flatten)]
    pub watch: WatchState,
}

impl RunState {
    pub fn new(fingerprint: serde_json::Value) -> Self {
        Self {
            fingerprint,
            epoch: 0,
            history: History::default(),
            schedule: ScheduleState::default(),
            watch: WatchState::default(),
        }
    }
}

/// The run directory's lock (`.train.lock`, held while the returned file is open): one
/// training process writes a run directory's checkpoints and log at a time.
pub(crate) fn lock_run_dir(dir: &Path) -> Result<File, TrainError> {
    let path = dir.join(".train.lock");
    let file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(TrainError::io(&path))?;
    // A lock can also be held for an instant by a child this process forks in another thread
    // (between fork and exec it shares the open file): that is waited out; a run that holds
    // the directory is not.
    let patience = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock)
                if patience.elapsed() < std::time::Duration::from_secs(3) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(TrainError::Busy {
                    path: dir.to_path_buf(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(TrainError::io(&path)(e)),
        }
    }
}

/// The checkpointing component: where a run's checkpoints go and how many are kept.
pub(crate) struct Checkpointer {
    pub root: PathBuf,
    pub keep: usize,
}

impl Checkpointer {
    /// Checkpoints in `run_dir/checkpoints`, the newest `keep` kept.
    pub fn new(run_dir: &Path, keep: usize) -> Self {
        Self {
            root: run_dir.join("checkpoints"),
            keep,
        }
    }

    /// The newest checkpoint, if any.
    pub fn latest(&self) -> Result<Option<Checkpoint>, TrainError> {
        latest(&self.root)
    }

    /// Removes every checkpoint (a run started afresh).
    pub fn clear(&self) -> Result<(), TrainError> {
        if self.root.exists() {
            fs::remove_dir_all(&self.root).map_err(TrainError::io(&self.root))?;
        }
        Ok(())
    }

    /// Writes the checkpoint of `state.epoch`; its directory.
    pub fn save(
        &self,
        state: &RunState,
        model: ModuleRecord,
        optimizer: &burn::optim::ModuleOptimizer,
        best: Option<&Bytes>,
    ) -> Result<PathBuf, TrainError> {
        save(&self.root, state, model, optimizer, best, self.keep)
    }
}

/// What is needed to continue a run.
pub(crate) struct Checkpoint {
    pub dir: PathBuf,
    pub state: RunState,
    pub model: ModuleRecord,
    pub optimizer: PathBuf,
    pub best: Option<Bytes>,
}

const MODEL: &str = "model.bpk";
const OPTIMIZER: &str = "optimizer.bpk";
const BEST: &str = "best.bpk";
const STATE: &str = "state.json";

fn epoch_dir(root: &Path, epoch: usize) -> PathBuf {
    root.join(format!("epoch-{epoch:06}"))
}

/// [`ember_core::write_file_atomically`], its failure naming the file.
pub(crate) fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), TrainError> {
    ember_core::write_file_atomically(path, write).map_err(TrainError::io(path))
}

fn sync_dir(dir: &Path) -> Result<(), TrainError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(TrainError::io(dir))
}

fn record_error(path: &Path) -> impl FnOnce(burn::store::RecordError) -> TrainError + '_ {
    move |e| TrainError::Checkpoint {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes the checkpoint of `state.epoch` into `root` and removes all but the newest `keep`.
fn save(
    root: &Path,
    state: &RunState,
    model: ModuleRecord,
    optimizer: &burn::optim::ModuleOptimizer,
    best: Option<&Bytes>,
    keep: usize,
) -> Result<PathBuf, TrainError> {
    fs::create_dir_all(root).map_err(TrainError::io(root))?;
    let done = epoch_dir(root, state.epoch);
    let tmp = root.join(format!(
        ".epoch-{:06}.tmp-{}",
        state.epoch,
        std::process::id()
    ));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(TrainError::io(&tmp))?;
    }
    fs::create_dir(&tmp).map_err(TrainError::io(&tmp))?;
    let model_path = tmp.join(MODEL);
    model.save(&model_path).map_err(record_error(&model_path))?;
    let optimizer_path = tmp.join(OPTIMIZER);
    optimizer
        .save(&optimizer_path)
        .map_err(record_error(&optimizer_path))?;
    for path in [&model_path, &optimizer_path] {
        File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(TrainError::io(path))?;
    }
    if let Some(bytes) = best {
        let path = tmp.join(BEST);
        write_file_atomically(&path, |f| f.write_all(bytes))?;
    }
    let json = encode_state(state, &tmp.join(STATE))?;
    write_file_atomically(&tmp.join(STATE), |f| f.write_all(&json))?;
    sync_dir(&tmp)?;
    if done.exists() {
        fs::remove_dir_all(&done).map_err(TrainError::io(&done))?;
    }
    fs::rename(&tmp, &done).map_err(TrainError::io(&done))?;
    sync_dir(root)?;
    for old in epochs(root)?.into_iter().rev().skip(keep) {
        let dir = epoch_dir(root, old);
        fs::remove_dir_all(&dir).map_err(TrainError::io(&dir))?;
    }
    Ok(done)
}

/// The run's state as the checkpoint's JSON.
fn encode_state(state: &RunState, path: &Path) -> Result<Vec<u8>, TrainError> {
    serde_json::to_vec_pretty(state).map_err(|e| TrainError::Checkpoint {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The run's state from a checkpoint's JSON. Every `f64` comes back with its bits (serde_json's
/// `float_roundtrip`; its default parser is off by an ulp for about one value in nine), so a
/// resumed run's history and early-stopping watch are the uninterrupted run's.
fn decode_state(json: &[u8], path: &Path) -> Result<RunState, TrainError> {
    serde_json::from_slice(json).map_err(|e| TrainError::Checkpoint {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Completed checkpoints' epochs, oldest first (temporary directories are not checkpoints).
fn epochs(root: &Path) -> Result<Vec<usize>, TrainError> {
    if !root.exists() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for entry in fs::read_dir(root).map_err(TrainError::io(root))? {
        let entry = entry.map_err(TrainError::io(root))?;
        let name = entry.file_name();
        if let Some(epoch) = name
            .to_str()
            .and_then(|n| n.strip_prefix("epoch-"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            found.push(epoch);
        }
    }
    found.sort_unstable();
    Ok(found)
}

/// The newest checkpoint in `root`, if any; leftovers of interrupted writes are removed.
fn latest(root: &Path) -> Result<Option<Checkpoint>, TrainError> {
    if !root.exists() {
        return Ok(None);
    }
    for entry in fs::read_dir(root).map_err(TrainError::io(root))? {
        let entry = entry.map_err(TrainError::io(root))?;
        if entry.file_name().to_string_lossy().starts_with(".epoch-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    let Some(&epoch) = epochs(root)?.last() else {
        return Ok(None);
    };
    let dir = epoch_dir(root, epoch);
    let state_path = dir.join(STATE);
    let text = fs::read(&state_path).map_err(TrainError::io(&state_path))?;
    let state = decode_state(&text, &state_path)?;
    let model_path = dir.join(MODEL);
    let model = ModuleRecord::load(&model_path).map_err(record_error(&model_path))?;
    let best_path = dir.join(BEST);
    let best = if best_path.exists() {
        Some(Bytes::from_bytes_vec(
            fs::read(&best_path).map_err(TrainError::io(&best_path))?,
        ))
    } else {
        None
    };
    Ok(Some(Checkpoint {
        optimizer: dir.join(OPTIMIZER),
        dir,
        state,
        model,
        best,
    }))
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng, rngs::StdRng};

    use super::*;
    use crate::EpochRecord;

    #[test]
    fn the_run_state_comes_back_from_its_json_with_every_bit() -> Result<(), TrainError> {
        let mut rng = StdRng::seed_from_u64(7);
        let mut state = RunState::new(serde_json::json!({ "learning_rate": 0.05 }));
        // Losses, rates and times of every magnitude, with all 53 bits of mantissa in use.
        let mut value = || rng.random::<f64>() * 10f64.powi(rng.random_range(-12..12));
        state.history.epochs = (1..=2_000)
            .map(|epoch| EpochRecord {
                epoch,
                learning_rate: value(),
                elapsed_s: value(),
                samples_per_s: value(),
                train: [("loss".to_string(), value())].into(),
                valid: Some([("loss".to_string(), value()), ("r2".to_string(), value())].into()),
            })
            .collect();
        let path = Path::new("state.json");
        let back = decode_state(&encode_state(&state, path)?, path)?;
        let bits = |s: &RunState| -> Vec<u64> {
            s.history
                .epochs
                .iter()
                .flat_map(|e| {
                    let valid = e.valid.iter().flat_map(|v| v.values());
                    [e.learning_rate, e.elapsed_s, e.samples_per_s]
                        .into_iter()
                        .chain(e.train.values().copied())
                        .chain(valid.copied())
                })
                .map(f64::to_bits)
                .collect()
        };
        assert_eq!(bits(&back), bits(&state));
        Ok(())
    }
}
