//! `ha-sim` as a user runs it: JSON out, named errors and exit code 2 on bad input.

use serde_json::Value;
use std::process::{Command, Output};

fn ha_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ha-sim"))
        .args(args)
        .output()
        .expect("ha-sim runs")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn presets_lists_discovery() {
    let v = json(&ha_sim(&["presets"]));
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"discovery"), "{names:?}");
}

#[test]
fn run_reports_instances_totals_events_and_digest() {
    let args = [
        "run",
        "--preset",
        "discovery",
        "--seed",
        "42",
        "--seconds",
        "90",
        "--crash",
        "192.168.1.11:8080@20",
    ];
    let v = json(&ha_sim(&args));
    let instances = v["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 3);
    let by_addr = |a: &str| {
        instances
            .iter()
            .find(|i| i["address"] == a)
            .unwrap()
            .clone()
    };
    let crashed = by_addr("192.168.1.11:8080");
    assert_eq!(crashed["final_state"], "down");
    assert_eq!(crashed["service"], "user-service");
    assert!(crashed["errors"].as_u64().unwrap() > 0);
    // Crashed 70 s before the end: no response in the 60 s window, so no percentiles.
    assert!(
        crashed["p50_ms"].is_null() && crashed["p99_ms"].is_null(),
        "{crashed}"
    );
    let survivor = by_addr("192.168.1.10:8080");
    assert_eq!(survivor["final_state"], "serving");
    assert!(survivor["p99_ms"].as_f64().unwrap() >= survivor["p50_ms"].as_f64().unwrap());
    let t = &v["totals"];
    let sum: u64 = ["ok", "error", "timeout", "no_healthy_upstream", "in_flight"]
        .iter()
        .map(|k| t[k].as_u64().unwrap())
        .sum();
    assert_eq!(sum, t["arrived"].as_u64().unwrap());
    assert_eq!(v["events"]["expired"], 1);
    assert_eq!(v["digest"].as_str().unwrap().len(), 16);
    // The same command prints the same report; another seed another digest.
    assert_eq!(json(&ha_sim(&args)), v);
    let mut other = args;
    other[4] = "43";
    assert_ne!(json(&ha_sim(&other))["digest"], v["digest"]);
}

#[test]
fn bad_input_is_named_and_exits_2() {
    for (args, needle) in [
        (vec!["run", "--preset", "nope"], "unknown preset"),
        (vec!["run", "--seconds=-3"], "--seconds must be"),
        (vec!["run", "--seconds", "1e9"], "--seconds must be"),
        (vec!["run", "--crash", "10.9.9.9:1@5"], "no instance at"),
        (
            vec!["run", "--crash", "192.168.1.10:8080"],
            "ADDRESS@SECONDS",
        ),
        (
            vec![
                "run",
                "--crash",
                "192.168.1.10:8080@1",
                "--crash",
                "192.168.1.10:8080@2",
            ],
            "already down",
        ),
    ] {
        let out = ha_sim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
