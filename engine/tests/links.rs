//! Links and scenario files made by an earlier HA Lab still open and replay the same run
//! (`tests/fixtures/links/`, see its README): same outcome totals, same run digest.

use ha_engine::scenario::Scenario;
use ha_engine::{OutcomeCounts, SimTime};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Expected {
    totals: OutcomeCounts,
    digest: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/links")
}

/// Runs `s` for its duration: (totals, digest).
fn replay(s: &Scenario) -> (OutcomeCounts, String) {
    let mut sim = s.simulation().expect("a decoded scenario builds");
    sim.run_until(SimTime::from_secs(s.duration_s as u64));
    (sim.totals(), sim.digest().to_string())
}

fn expected(name: &str) -> Expected {
    let text = std::fs::read_to_string(dir().join(format!("{name}.expected.json")))
        .unwrap_or_else(|e| panic!("{name}.expected.json: {e}"));
    serde_json::from_str(&text).expect("expected.json parses")
}

#[test]
fn every_old_link_replays_the_same_run() {
    let mut links: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("fixtures/links")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "link"))
        .collect();
    links.sort();
    assert_eq!(links.len(), 5, "{links:?}");
    for path in links {
        let name = path.file_stem().and_then(|s| s.to_str()).expect("a name");
        let link = std::fs::read_to_string(&path).expect("a link");
        let s = Scenario::from_link(link.trim())
            .unwrap_or_else(|e| panic!("{name}: the link no longer opens: {e}"));
        let (totals, digest) = replay(&s);
        let want = expected(name);
        assert_eq!(totals, want.totals, "{name}: outcome totals");
        assert_eq!(digest, want.digest, "{name}: run digest");
    }
}

#[test]
fn an_old_scenario_file_with_page_clicks_replays_the_same_run() {
    let text = std::fs::read_to_string(dir().join("discovery-with-clicks.scenario.json"))
        .expect("the scenario file");
    let s = Scenario::from_json(&text).expect("the file still opens");
    assert_eq!(
        s.cluster.faults.len(),
        2,
        "the two clicks are on its timeline"
    );
    let (totals, digest) = replay(&s);
    let want = expected("discovery-with-clicks");
    assert_eq!(totals, want.totals);
    assert_eq!(digest, want.digest);
}
