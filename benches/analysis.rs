//! Sensitivity, Monte Carlo and the mitigation optimizer on a 40-factor assessment (DESIGN §10:
//! Monte Carlo, 10 000 draws, 40 factors ≤ 50 ms). Run: `cargo bench --bench analysis` — prints a
//! Markdown table of medians. Under `cargo test --all-targets` it is a quick no-op.

use std::time::{Duration, Instant};

use wenping::scoring::{Level, SimulationRequest, assess, mitigation_plan, sensitivity, simulate};

#[path = "support/forty.rs"]
mod forty;
use forty::{forty_factor_model, inputs};

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    // `cargo test --all-targets` runs bench binaries without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut rows: Vec<(String, Duration)> = Vec::new();
    let model = forty_factor_model(8);
    let engine_inputs = inputs(&model);
    let result = assess(&model, &engine_inputs).unwrap_or_else(|e| panic!("{e}"));
    rows.push((
        "sensitivity (flip points, weight intervals, tornado), 40 factors".into(),
        median(|| drop(sensitivity(&model, &result)), 200),
    ));
    for (draws, noise) in [(10_000, None), (10_000, Some(0.1)), (1_000_000, None)] {
        let request = SimulationRequest {
            draws,
            seed: 1,
            weight_noise: noise,
        };
        let runs = if draws > 100_000 { 5 } else { 50 };
        let time = median(
            || drop(simulate(&model, &engine_inputs, &request).unwrap_or_else(|e| panic!("{e}"))),
            runs,
        );
        let noise = noise.map_or("no weight noise".to_owned(), |n| {
            format!("weight noise {n}")
        });
        rows.push((
            format!("Monte Carlo, {draws} draws, 40 factors, {noise}"),
            time,
        ));
    }
    for measures in [8, 16, 20, 32, 64] {
        let model = forty_factor_model(measures);
        let engine_inputs = inputs(&model);
        let runs = if measures >= 20 { 3 } else { 20 };
        let time = median(
            || {
                let plan = mitigation_plan(&model, &engine_inputs, Level::Low, None)
                    .unwrap_or_else(|e| panic!("{e}"));
                drop(plan)
            },
            runs,
        );
        rows.push((
            format!("mitigation plan, target low, {measures}-measure catalogue (with frontier)"),
            time,
        ));
    }
    println!("| what | median |\n|---|---|");
    for (what, time) in rows {
        println!("| {what} | {:.3} ms |", time.as_secs_f64() * 1e3);
    }
}
