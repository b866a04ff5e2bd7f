//! `ha-sim`: run HA Lab scenarios from the command line and print JSON.
//!
//! ```text
//! ha-sim presets
//! ha-sim run --preset discovery --seed 42 --seconds 120 [--crash 192.168.1.11:8080@10]
//! ```

use clap::{Parser, Subcommand};
use ha_engine::{presets, Command, SimTime, Simulation};
use serde::Serialize;
use std::process::ExitCode;

/// Most simulated seconds one `run` may cover (one simulated day).
const MAX_SECONDS: f64 = 86_400.0;

#[derive(Parser)]
#[command(
    name = "ha-sim",
    version,
    about = "Run HA Lab cluster simulations and print JSON"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the preset names with their titles.
    Presets,
    /// Run a preset and print the run report.
    Run {
        /// Preset name (see `ha-sim presets`).
        #[arg(long, default_value = presets::DEFAULT)]
        preset: String,
        /// Seed of the run.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Simulated seconds to run.
        #[arg(long, default_value_t = 120.0)]
        seconds: f64,
        /// Crash the instance at ADDRESS at simulated second S: `ADDRESS@S`. Repeatable.
        #[arg(long, value_name = "ADDRESS@S")]
        crash: Vec<String>,
        /// Restart the instance at ADDRESS at simulated second S: `ADDRESS@S`. Repeatable.
        #[arg(long, value_name = "ADDRESS@S")]
        restart: Vec<String>,
    },
}

#[derive(Serialize)]
struct PresetLine {
    name: &'static str,
    title: &'static str,
}

fn parse_at(spec: &str) -> Result<(String, SimTime), String> {
    let (addr, secs) = spec
        .rsplit_once('@')
        .ok_or_else(|| format!("expected ADDRESS@SECONDS, got {spec:?}"))?;
    let s: f64 = secs
        .parse()
        .map_err(|_| format!("{secs:?} in {spec:?} is not a number of seconds"))?;
    if !(0.0..=MAX_SECONDS).contains(&s) {
        return Err(format!("{s} s in {spec:?} is outside 0..={MAX_SECONDS}"));
    }
    Ok((addr.to_string(), SimTime((s * 1e6) as u64)))
}

fn run(
    preset: &str,
    seed: u64,
    seconds: f64,
    crash: &[String],
    restart: &[String],
) -> Result<String, String> {
    let p = presets::by_name(preset).ok_or_else(|| {
        let names: Vec<_> = presets::all().iter().map(|p| p.name).collect();
        format!("unknown preset {preset:?}; presets: {}", names.join(", "))
    })?;
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= MAX_SECONDS) {
        return Err(format!(
            "--seconds must be in (0, {MAX_SECONDS}], got {seconds}"
        ));
    }
    let mut sim = Simulation::new(p.config, seed).map_err(|e| format!("invalid scenario: {e}"))?;
    let mut actions: Vec<(SimTime, usize, Command)> = Vec::new();
    for (specs, is_crash) in [(crash, true), (restart, false)] {
        for spec in specs {
            let (addr, at) = parse_at(spec)?;
            let id = sim
                .instance_by_address(&addr)
                .ok_or_else(|| format!("no instance at {addr:?}"))?;
            let cmd = if is_crash {
                Command::Crash(id)
            } else {
                Command::Restart(id)
            };
            actions.push((at, actions.len(), cmd));
        }
    }
    actions.sort_by_key(|(at, order, _)| (*at, *order));
    for (at, _, cmd) in actions {
        sim.run_until(at);
        sim.apply(cmd.clone())
            .map_err(|e| format!("at {at}: {cmd:?}: {e}"))?;
    }
    sim.run_until(SimTime((seconds * 1e6) as u64));
    serde_json::to_string_pretty(&sim.report()).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = match cli.command {
        Cmd::Presets => {
            let lines: Vec<PresetLine> = presets::all()
                .iter()
                .map(|p| PresetLine {
                    name: p.name,
                    title: p.title,
                })
                .collect();
            serde_json::to_string_pretty(&lines).map_err(|e| e.to_string())
        }
        Cmd::Run {
            preset,
            seed,
            seconds,
            crash,
            restart,
        } => run(&preset, seed, seconds, &crash, &restart),
    };
    match out {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ha-sim: {e}");
            ExitCode::from(2)
        }
    }
}
