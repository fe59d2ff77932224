//! `ember`: train, evaluate, inspect and use models from experiment configs.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ember::DeviceChoice;
use ember::models::selection::CrossValidation;
use ember_cli::commands::{
    Input, check_output, describe, eval, export, export_onnx, fit_shard, inspect, merge, predict,
    solve, sweep,
};
use ember_cli::{RunError, RunOptions, Summary, load_experiment, run};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Machine learning from config files: linear, ridge, logistic and softmax regression and
/// multilayer perceptrons on burn, with scikit-learn's metrics.
#[derive(Parser)]
#[command(name = "ember", version, about, long_about = None)]
#[command(after_help = "Examples:
  ember train configs/iris_softmax.toml
  ember train configs/digits_mlp.toml --set model.mlp_classifier.train.epochs=5 --out runs/quick
  ember train --resume runs/digits_mlp
  ember eval runs/iris_softmax
  ember predict runs/iris_softmax --input new_rows.csv --output predictions.csv
  ember inspect runs/iris_softmax --json
  ember export runs/digits_mlp --safetensors digits.safetensors
  ember sweep configs/diabetes_ridge.toml --grid model.ridge.alpha=0.01,0.1,1,10
  ember fit-shard configs/houses_ols.toml --data part-0.csv --out part-0.state.toml
  ember merge part-*.state.toml --out all.state.toml
  ember solve configs/houses_ols.toml all.state.toml --out runs/houses

Exit codes: 0 success, 2 usage or config errors, 1 failures while running.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train the experiment CONFIG describes into a run directory (config, model, metrics,
    /// summary, plots).
    Train {
        /// The experiment file (TOML).
        #[arg(required_unless_present = "resume")]
        config: Option<PathBuf>,
        /// Override a setting: key.path=value (repeatable), e.g. model.ridge.alpha=0.5.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// The backend instead of the config's: auto, flex, ndarray or wgpu.
        #[arg(long)]
        device: Option<DeviceChoice>,
        /// The run directory instead of the config's `out` (default runs/<config name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Continue the killed run in RUN_DIR from its last checkpoint.
        #[arg(long, value_name = "RUN_DIR", conflicts_with_all = ["config", "sets", "out"])]
        resume: Option<PathBuf>,
    },
    /// Metrics of a trained model on its training and test splits, or on a CSV file.
    Eval {
        /// A run directory made by `ember train`.
        run_dir: PathBuf,
        /// A CSV file with the training columns, targets included.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Lines to skip at the top of the --data file.
        #[arg(long, value_name = "N", default_value_t = 0, requires = "data")]
        skip_lines: usize,
        /// The backend to run the model on.
        #[arg(long)]
        device: Option<DeviceChoice>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Predictions (and class probabilities) for the rows of a CSV file.
    Predict {
        /// A run directory made by `ember train`.
        run_dir: PathBuf,
        /// The rows to predict (CSV with the training feature columns).
        #[arg(long)]
        input: PathBuf,
        /// Where to write the predictions (CSV); standard output if not given.
        #[arg(long)]
        output: Option<PathBuf>,
        /// A column of the input copied into the output first, to tell the rows apart (default:
        /// the training file's `id` column).
        #[arg(long, value_name = "COLUMN")]
        id: Option<String>,
        /// Lines to skip at the top of the input file.
        #[arg(long, value_name = "N", default_value_t = 0)]
        skip_lines: usize,
        /// The backend to run the model on.
        #[arg(long)]
        device: Option<DeviceChoice>,
    },
    /// The model, its parameter count, preprocessing and training summary.
    Inspect {
        /// A run directory made by `ember train`.
        run_dir: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a run's model as ONNX (for onnxruntime and other runtimes) and/or its weights as
    /// safetensors (stable tensor names, for PyTorch and NumPy).
    Export {
        /// A run directory made by `ember train`.
        run_dir: PathBuf,
        /// The safetensors file to write.
        #[arg(long, value_name = "FILE", required_unless_present = "onnx")]
        safetensors: Option<PathBuf>,
        /// The ONNX file to write (opset 17; the scaler folded in).
        #[arg(long, value_name = "FILE")]
        onnx: Option<PathBuf>,
    },
    /// Fold one CSV shard into a least-squares state file (a few KB whatever its size), for
    /// `ember merge` and `ember solve`; the config gives the columns and the intercept.
    FitShard {
        /// The experiment file (TOML) with a linear_regression or ridge model.
        config: PathBuf,
        /// The shard: a CSV file with the experiment's columns.
        #[arg(long)]
        data: PathBuf,
        /// The state file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Override a setting: key.path=value (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Merge least-squares state files of disjoint shards into the state of all their rows.
    Merge {
        /// The state files (from fit-shard or merge).
        #[arg(required = true)]
        states: Vec<PathBuf>,
        /// The merged state file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Solve a least-squares state into a run directory: the model file and its OLS summary.
    Solve {
        /// The experiment file (TOML) with a linear_regression or ridge model.
        config: PathBuf,
        /// The state file.
        state: PathBuf,
        /// The run directory to make (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Override a setting: key.path=value (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Train one run per point of a grid and rank them.
    Sweep {
        /// The experiment file (TOML).
        config: PathBuf,
        /// A setting and its values: key.path=v1,v2,... (repeatable; every combination runs).
        #[arg(long = "grid", value_name = "KEY=V1,V2,...", required = true)]
        grid: Vec<String>,
        /// Override a setting in every run: key.path=value (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// The sweep folder (default runs/<config name>-sweep).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The metric that ranks the runs (default accuracy or r2).
        #[arg(long)]
        metric: Option<String>,
        /// The backend instead of the config's.
        #[arg(long)]
        device: Option<DeviceChoice>,
        /// Rank by K-fold cross-validation of the training split (stratified for
        /// classifiers; mean ± std over folds, as GridSearchCV) and refit the best into best/.
        #[arg(long, value_name = "K")]
        folds: Option<usize>,
        /// Shuffle the rows with this seed before cutting the folds (default: in order, as
        /// scikit-learn's cv=K).
        #[arg(long, value_name = "SEED", requires = "folds")]
        fold_seed: Option<u64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let source = match &e {
                RunError::Config(_) => "",
                RunError::Usage(_) | RunError::RunExists(_) | RunError::Busy(_) => "ember: ",
                _ => "ember: error: ",
            };
            for line in e.to_string().lines() {
                eprintln!("{source}{line}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn execute(command: Command) -> Result<(), RunError> {
    // The lock is taken per line, never held while a run works (its batches run on other
    // threads, which may print).
    let say = |text: &str| {
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    };
    match command {
        Command::Train {
            config,
            sets,
            device,
            out,
            resume,
        } => {
            let (loaded, options) = match (resume, config) {
                (Some(dir), _) => {
                    let loaded =
                        load_experiment(&dir.join(ember_cli::CONFIG_FILE), &[]).map_err(|e| {
                            match std::fs::metadata(dir.join(ember_cli::CONFIG_FILE)) {
                                Ok(_) => RunError::Config(e),
                                Err(_) => RunError::Usage(format!(
                                    "{}: not a run directory (it has no {})",
                                    dir.display(),
                                    ember_cli::CONFIG_FILE
                                )),
                            }
                        })?;
                    pin_burn_default_device(device.unwrap_or(loaded.experiment.device));
                    let options = RunOptions {
                        out: Some(dir),
                        device,
                        resume: true,
                    };
                    (loaded, options)
                }
                (None, Some(config)) => {
                    let loaded = load_experiment(&config, &sets)?;
                    (
                        loaded,
                        RunOptions {
                            out,
                            device,
                            resume: false,
                        },
                    )
                }
                (None, None) => {
                    return Err(RunError::Usage("give CONFIG or --resume RUN_DIR".into()));
                }
            };
            let summary = run(&loaded, &options)?;
            say(&summary_text(&summary));
        }
        Command::Eval {
            run_dir,
            data,
            skip_lines,
            device,
            json,
        } => {
            let input = data.as_deref().map(|path| Input {
                skip_lines,
                ..Input::new(path)
            });
            let results = eval(&run_dir, input.as_ref(), device)?;
            if json {
                let map: serde_json::Map<String, serde_json::Value> = results
                    .into_iter()
                    .map(|(k, m)| (k, serde_json::json!(m)))
                    .collect();
                say(&serde_json::to_string_pretty(&map).unwrap_or_default());
            } else {
                for (name, metrics) in results {
                    say(&format!("{name:<10} {}", metric_line(&metrics)));
                }
            }
        }
        Command::Predict {
            run_dir,
            input,
            output,
            id,
            skip_lines,
            device,
        } => {
            let rows = Input {
                id: id.as_deref(),
                skip_lines,
                ..Input::new(&input)
            };
            if let Some(path) = &output {
                check_output(path, &run_dir, Some(&input))?;
            }
            let predictions = predict(&run_dir, &rows, device)?;
            let text = predictions.to_csv();
            match output {
                Some(path) => {
                    ember_cli::write_atomically(&path, text.as_bytes())?;
                    eprintln!(
                        "ember: {} predictions written to {}",
                        predictions.rows.len(),
                        path.display()
                    );
                }
                None => {
                    let _ = std::io::stdout().lock().write_all(text.as_bytes());
                }
            }
        }
        Command::Inspect { run_dir, json } => {
            let (info, statistics) = inspect(&run_dir)?;
            if json {
                say(&serde_json::to_string_pretty(&info).unwrap_or_default());
            } else {
                say(describe(&info).trim_end());
                if let Some(table) = statistics {
                    say(&format!("\nOn the training split:\n{table}"));
                }
            }
        }
        Command::Export {
            run_dir,
            safetensors,
            onnx,
        } => {
            for path in safetensors.iter().chain(&onnx) {
                check_output(path, &run_dir, None)?;
            }
            if safetensors.is_some() && safetensors == onnx {
                return Err(RunError::Usage(
                    "--safetensors and --onnx name the same file: give each its own".into(),
                ));
            }
            if let Some(path) = safetensors {
                let bytes = export(&run_dir)?;
                ember_cli::write_atomically(&path, &bytes)?;
                say(&format!(
                    "ember: {} bytes of weights written to {}",
                    bytes.len(),
                    path.display()
                ));
            }
            if let Some(path) = onnx {
                let bytes = export_onnx(&run_dir)?;
                ember_cli::write_atomically(&path, &bytes)?;
                say(&format!(
                    "ember: ONNX model (opset {}) of {} bytes written to {}",
                    ember::onnx::OPSET,
                    bytes.len(),
                    path.display()
                ));
            }
        }
        Command::FitShard {
            config,
            data,
            out,
            sets,
        } => {
            let state = fit_shard(&load_experiment(&config, &sets)?, &data, &out)?;
            say(&format!(
                "ember: {} rows of {} folded into {}",
                state.n_rows(),
                data.display(),
                out.display()
            ));
        }
        Command::Merge { states, out } => {
            let merged = merge(&states, &out)?;
            say(&format!(
                "ember: {} states ({} rows) merged into {}",
                states.len(),
                merged.n_rows(),
                out.display()
            ));
        }
        Command::Solve {
            config,
            state,
            out,
            sets,
        } => {
            let solved = solve(&load_experiment(&config, &sets)?, &state, &out)?;
            say(&format!(
                "ember: model of {} rows written to {}",
                solved.n_rows(),
                out.display()
            ));
        }
        Command::Sweep {
            config,
            grid,
            sets,
            out,
            metric,
            device,
            folds,
            fold_seed,
        } => {
            let folds = folds.map(|k| CrossValidation {
                n_splits: k,
                shuffle: fold_seed.is_some(),
                seed: fold_seed.unwrap_or(0),
            });
            let (_, table) = sweep(
                &config,
                &sets,
                &grid,
                out.as_deref(),
                metric.as_deref(),
                device,
                folds,
                |line| eprintln!("ember: {line}"),
            )?;
            say(table.trim_end());
        }
    }
    Ok(())
}

/// burn loads a saved optimizer state on its default device, the GPU when wgpu is compiled in
/// (`ModuleOptimizer::load_record` takes no device), so resuming a CPU run would start the GPU
/// driver. A resumed run on flex or ndarray therefore runs again with `BURN_DEVICE` naming its
/// backend, unless the user set it; if that cannot be done it goes on as it is.
fn pin_burn_default_device(choice: DeviceChoice) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let name = match choice {
            DeviceChoice::Flex => "flex",
            DeviceChoice::Ndarray => "ndarray",
            _ => return,
        };
        if std::env::var_os("BURN_DEVICE").is_some() || !choice.is_compiled() {
            return;
        }
        if let Ok(exe) = std::env::current_exe() {
            // `exec` returns only when it failed.
            let _ = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env("BURN_DEVICE", name)
                .exec();
        }
    }
    #[cfg(not(unix))]
    let _ = choice;
}

fn metric_line(metrics: &ember_cli::Metrics) -> String {
    metrics
        .iter()
        .map(|(k, v)| format!("{k} {v:.6}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary_text(s: &Summary) -> String {
    let mut out = format!(
        "ember: trained {} ({} parameters) on {} samples in {:.1} s → {}\n",
        s.kind,
        s.n_params,
        s.n_train,
        s.elapsed_s,
        s.run_dir.display()
    );
    out.push_str(&format!("train      {}\n", metric_line(&s.train)));
    if let Some(v) = &s.validation {
        out.push_str(&format!("validation {}\n", metric_line(v)));
    }
    out.push_str(&format!("test       {}", metric_line(&s.test)));
    out
}
