//! wasm-bindgen-test, in headless Chromium: the engine compiled to wasm produces the same run,
//! bit for bit, as the native engine.
//!
//! `scripts/test.sh` runs `ha-sim` natively and passes its digest in `HA_NATIVE_DIGEST` at build
//! time; this test repeats the identical run in the browser and compares.
#![cfg(target_arch = "wasm32")]

use ha_engine::{presets, SimTime, Simulation};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn wasm_run_has_the_native_digest() {
    let expected = option_env!("HA_NATIVE_DIGEST")
        .filter(|d| d.len() == 16)
        .expect("HA_NATIVE_DIGEST: run this through scripts/test.sh");
    // Mirrors `ha-sim run --preset discovery --seed 42 --seconds 120 --crash 192.168.1.11:8080@30`:
    // the crash is on the timeline, as the CLI puts it.
    let mut cfg = presets::discovery().config;
    cfg.faults
        .push("crash:192.168.1.11:8080@30".parse().unwrap());
    let mut sim = Simulation::new(cfg, 42).unwrap();
    sim.run_until(SimTime::from_secs(120));
    assert_eq!(sim.digest().to_string(), expected);
}

#[wasm_bindgen_test]
fn wasm_run_of_every_mechanism_has_the_native_digest() {
    let expected = option_env!("HA_NATIVE_DIGEST_ALL")
        .filter(|d| d.len() == 16)
        .expect("HA_NATIVE_DIGEST_ALL: run this through scripts/test.sh");
    // Mirrors `ha-sim run --config tests/fixtures/all-mechanisms.json --seed 42 --seconds 120`:
    // three services with dependencies, a backup, health checks, outlier ejection, both breaker
    // policies, retries, P2C, ring hash and Maglev, a token bucket, tracing and eight faults.
    let cfg: ha_engine::ClusterConfig =
        serde_json::from_str(include_str!("fixtures/all-mechanisms.json")).unwrap();
    let mut sim = Simulation::new(cfg, 42).unwrap();
    sim.run_until(SimTime::from_secs(120));
    assert!(sim.stats().failovers > 0 && sim.stats().breaker_opens > 0);
    assert_eq!(sim.digest().to_string(), expected);
}

#[wasm_bindgen_test]
fn a_share_link_gives_the_native_digest() {
    let link = option_env!("HA_NATIVE_LINK")
        .filter(|l| !l.is_empty())
        .expect("HA_NATIVE_LINK: run this through scripts/test.sh");
    let expected = option_env!("HA_NATIVE_LINK_DIGEST")
        .filter(|d| d.len() == 16)
        .expect("HA_NATIVE_LINK_DIGEST: run this through scripts/test.sh");
    // Mirrors `ha-sim run --link "$(ha-sim link --preset failover --seed 7)"`.
    let s = ha_engine::Scenario::from_link(link).unwrap();
    let mut sim = s.simulation().unwrap();
    sim.run_until(SimTime::from_secs(s.duration_s as u64));
    assert_eq!(sim.digest().to_string(), expected);
}

#[wasm_bindgen_test]
fn ring_placement_and_the_replication_run_match_native() {
    // `ha-sim run --preset replication --seed 42` natively.
    let expected = option_env!("HA_NATIVE_REPLICATION_DIGEST")
        .filter(|d| d.len() == 16)
        .expect("HA_NATIVE_REPLICATION_DIGEST: run this through scripts/test.sh");
    let p = ha_engine::presets::by_name("replication").unwrap();
    let s = ha_engine::Scenario::from_preset(&p, 42);
    let mut sim = s.simulation().unwrap();
    sim.run_until(SimTime::from_secs(s.duration_s as u64));
    assert_eq!(sim.digest().to_string(), expected);
    // `ha-sim ring --nodes 7 --vnodes 50 --keys 500`: primary keys per node, natively.
    let native = option_env!("HA_NATIVE_RING_PRIMARIES")
        .filter(|p| !p.is_empty())
        .expect("HA_NATIVE_RING_PRIMARIES: run this through scripts/test.sh");
    let mut cfg = ha_engine::replication::ReplicationConfig::uniform(7, 50, 500 * 3 + 1);
    cfg.write_quorum = 3;
    let mut store = ha_engine::replication::Store::new(cfg).unwrap();
    for k in 0..500 {
        store.write(k).unwrap();
    }
    let here: Vec<String> = store
        .stats()
        .nodes
        .iter()
        .map(|n| n.primary_keys.to_string())
        .collect();
    assert_eq!(here.join(","), native);
}
