//! The classic first program of machine learning: fit a line to `y = 3 + 4·x + noise`.
//!
//! Generates 100 points, fits ordinary least squares in closed form, prints the intercept and
//! slope, predicts at x = 0 and x = 2, saves a plot (PNG and SVG), then fits the same model by
//! gradient descent — all on the device you choose:
//!
//! ```text
//! cargo run --release --example fit_line                          # auto: GPU if there is one
//! cargo run --release --features ember/wgpu --example fit_line -- --device wgpu
//! ```

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use ember::data::generators::seed_line;
use ember::plot::ScatterLine;
use ember::prelude::*;

/// Fit a line to noisy data, in closed form and by gradient descent.
#[derive(Parser)]
struct Args {
    /// Backend: auto, flex, ndarray or wgpu.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Folder for the plots.
    #[arg(long, default_value = "out/fit_line")]
    out: PathBuf,
    /// Number of points.
    #[arg(long, default_value_t = 100)]
    samples: usize,
    /// Seed of the data generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let device = args.device.device()?;
    println!("device: {} ({device:?})", args.device);

    let data = seed_line(args.samples, args.seed);
    println!(
        "data: {} points, x = 2·U(0,1), y = 3 + 4·x + N(0,1), seed {}",
        data.n_samples(),
        args.seed
    );

    // Closed form.
    let start = Instant::now();
    let ols = LinearRegressionConfig::new().fit_dataset(&data, &device)?;
    let (b, w) = (ols.intercept()[0], ols.coef().get(0, 0));
    println!(
        "\nleast squares ({:?}, {:.1} ms): intercept {b:.6}, slope {w:.6}, R² {:.6}",
        ols.solver(),
        start.elapsed().as_secs_f64() * 1e3,
        ols.score(data.x(), data.y())?
    );
    let at = ols.predict(&Matrix::column(vec![0.0, 2.0]))?;
    println!(
        "prediction at x = 0: {:.6}\nprediction at x = 2: {:.6}",
        at.get(0, 0),
        at.get(1, 0)
    );

    // The plot.
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let x = data.x().column_values(0);
    let y = data.y().column_values(0);
    let title = format!("Least squares: y = {b:.3} + {w:.3}·x");
    let plot = ScatterLine::new(title, &x, &y, [(0.0, at.get(0, 0)), (2.0, at.get(1, 0))])
        .with_axis_labels("x", "y")
        .with_legend("data", "least-squares line");
    for name in ["fit_line.png", "fit_line.svg"] {
        plot.save(&args.out.join(name))?;
    }
    println!("plots written to {}", args.out.display());

    // The same model by gradient descent, through ember's training loop: the cosine schedule
    // anneals the step to 0 over the epochs, so the mini-batches' noise dies out and the fit
    // lands on the closed form.
    let start = Instant::now();
    let gd = LinearRegressionConfig::new()
        .with_solver(Solver::GradientDescent)
        .with_gradient_descent(
            GradientDescentConfig::new()
                .with_optimizer(Optimizer::Sgd)
                .with_learning_rate(0.05)
                .with_momentum(0.5)
                .with_batch_size(20)
                .with_max_epochs(200)
                .with_tol(0.0)
                .with_schedule(Schedule::Cosine {
                    t_max: None,
                    eta_min: 0.0,
                })
                .with_seed(args.seed),
        )
        .fit_dataset(&data, &device)?;
    println!(
        "\ngradient descent (SGD + momentum, batch 20, {} epochs, {:.1} ms): intercept {:.6}, slope {:.6}, final loss {:.6}",
        gd.n_iter(),
        start.elapsed().as_secs_f64() * 1e3,
        gd.intercept()[0],
        gd.coef().get(0, 0),
        gd.loss_history().last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "difference to the closed form: intercept {:+.2e}, slope {:+.2e}",
        gd.intercept()[0] - b,
        gd.coef().get(0, 0) - w
    );
    Ok(())
}
