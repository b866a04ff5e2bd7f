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
    let sum: u64 = [
        "ok",
        "error",
        "timeout",
        "rejected",
        "short_circuited",
        "no_healthy_upstream",
        "in_flight",
    ]
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
        (
            vec!["run", "--crash", "10.9.9.9:1@5"],
            "no instance address is named \"10.9.9.9:1\"",
        ),
        (
            vec!["run", "--crash", "192.168.1.10:8080"],
            "expected KIND[=X][:TARGET]@START_S[+DURATION_S]",
        ),
        (
            vec!["run", "--action", "melt:192.168.1.10:8080@5"],
            "unknown action \"melt\"",
        ),
        (
            vec!["run", "--action", "crash:192.168.1.10:8080@5+x"],
            "\"x\" in \"crash:192.168.1.10:8080@5+x\" is not a number of seconds",
        ),
        (
            vec!["run", "--action", "strategy=fastest:user-service@5"],
            "unknown strategy \"fastest\"",
        ),
        (
            vec!["run", "--fault", "slow:192.168.1.10:8080@5"],
            "slow needs a value",
        ),
        (vec!["run", "--fault", "hang@5"], "needs a target"),
        (
            vec!["run", "--fault", "hang:10.1.1.1:1@5"],
            "no instance address",
        ),
        (
            vec!["run", "--fault", "error=2:192.168.1.10:8080@5"],
            "between 0 and 1",
        ),
        (
            vec!["run", "--strategy", "user-service=fastest"],
            "unknown strategy",
        ),
        (vec!["run", "--strategy", "nobody=random"], "no service"),
        (vec!["run", "--config", "/nonexistent.json"], "cannot read"),
    ] {
        let out = ha_sim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn faults_strategies_and_configs_from_the_command_line() {
    // A hang on one user-service instance for 30 s: its calls time out (504).
    let v = json(&ha_sim(&[
        "run",
        "--seed",
        "3",
        "--seconds",
        "60",
        "--fault",
        "hang:192.168.1.11:8080@10+30",
        "--fault",
        "spike=2@10+10",
        "--strategy",
        "user-service=least_connections",
    ]));
    assert!(
        v["totals"]["timeout"].as_u64().unwrap() > 0,
        "{}",
        v["totals"]
    );
    assert_eq!(v["stats"]["faults"], 2);
    assert_eq!(v["services"][0]["strategy"], "least connections");
    assert_eq!(v["events"]["fault_started"], 2);
    assert_eq!(v["events"]["fault_ended"], 2);
    // --dump-config prints a config that --config runs to the same digest.
    let out = ha_sim(&[
        "run",
        "--dump-config",
        "--fault",
        "crash:192.168.1.20:8081@20",
    ]);
    assert!(out.status.success());
    let dir = std::env::temp_dir().join(format!("ha-sim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cluster.json");
    std::fs::write(&path, &out.stdout).unwrap();
    let a = json(&ha_sim(&[
        "run",
        "--config",
        path.to_str().unwrap(),
        "--seconds",
        "70",
    ]));
    let b = json(&ha_sim(&[
        "run",
        "--fault",
        "crash:192.168.1.20:8081@20",
        "--seconds",
        "70",
    ]));
    assert_eq!(a["digest"], b["digest"]);
    assert_eq!(
        a["totals"]["no_healthy_upstream"],
        b["totals"]["no_healthy_upstream"]
    );
    assert!(a["totals"]["no_healthy_upstream"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn links_and_scenarios_replay_the_same_run() {
    let link = ha_sim(&["link", "--preset", "breaker", "--seed", "7"]);
    assert!(link.status.success());
    let link = String::from_utf8(link.stdout).unwrap().trim().to_string();
    assert!(link.starts_with("http://127.0.0.1:8080/#s="), "{link}");
    assert!(
        link.len() < 2_000,
        "short enough for a chat: {}",
        link.len()
    );
    let by_link = json(&ha_sim(&["run", "--link", &link]));
    let by_preset = json(&ha_sim(&["run", "--preset", "breaker", "--seed", "7"]));
    assert_eq!(by_link["digest"], by_preset["digest"]);
    assert_eq!(by_link["seed"], 7);
    // The scenario's own duration is the default run length.
    assert_eq!(by_link["simulated_s"], 100.0);
    let scenario = ha_sim(&["scenario", "--preset", "breaker", "--seed", "7"]);
    let dir = std::env::temp_dir().join(format!("ha-sim-scn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.json");
    std::fs::write(&path, &scenario.stdout).unwrap();
    let by_file = json(&ha_sim(&["run", "--scenario", path.to_str().unwrap()]));
    assert_eq!(by_file["digest"], by_preset["digest"]);
    // Bad links and files: named errors, exit 2.
    let cut = &link[..link.len() - 40];
    let mut bumped: serde_json::Value = serde_json::from_slice(&scenario.stdout).unwrap();
    bumped["version"] = 99.into();
    let newer = dir.join("newer.json");
    std::fs::write(&newer, bumped.to_string()).unwrap();
    for (args, needle) in [
        (vec!["run", "--link", cut], "cut short"),
        (
            vec!["run", "--link", "http://127.0.0.1:8080/"],
            "no scenario",
        ),
        (vec!["run", "--link", "#s=%%%"], "character 1"),
        (
            vec!["run", "--scenario", newer.to_str().unwrap()],
            "version 99",
        ),
        (vec!["link", "--preset", "nope"], "unknown preset"),
    ] {
        let out = ha_sim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ring_prints_the_numbers_a_teacher_quotes() {
    let v = json(&ha_sim(&[
        "ring", "--nodes", "10", "--vnodes", "1000", "--keys", "20000",
    ]));
    let sd = v["stats"]["keyspace_stddev_pct"].as_f64().unwrap();
    assert!(sd > 0.5 && sd < 6.0, "σ with 1000 vnodes: {sd}");
    let add = v["add_one"]["primaries_moved_pct"].as_f64().unwrap();
    let ideal = v["add_one"]["ideal_pct"].as_f64().unwrap();
    assert!((ideal - 100.0 / 11.0).abs() < 1e-9);
    assert!(
        (add - ideal).abs() < 3.0,
        "adding one moved {add} %, ideal {ideal} %"
    );
    assert_eq!(v["stats"]["nodes"].as_array().unwrap().len(), 10);
    assert_eq!(v["stats"]["under_replicated"], 0);
    let r = json(&ha_sim(&[
        "ring",
        "--nodes",
        "10",
        "--keys",
        "20000",
        "--placement",
        "rendezvous",
    ]));
    let add = r["add_one"]["primaries_moved_pct"].as_f64().unwrap();
    assert!((add - 100.0 / 11.0).abs() < 1.5, "{add}");
    for (args, needle) in [
        (vec!["ring", "--placement", "spiral"], "unknown placement"),
        (vec!["ring", "--vnodes", "0"], "vnodes"),
        (vec!["ring", "--nodes", "2", "--replicas", "3"], "replicas"),
        (vec!["ring", "--keys", "0"], "--keys"),
    ] {
        let out = ha_sim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// `ha-sim presets | head -1`: the reader goes away before ha-sim writes; ha-sim exits 0 quietly
/// (it used to panic with "failed printing to stdout: Broken pipe").
#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ha-sim"))
        .arg("presets")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ha-sim runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ha-sim ends");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "nothing on stderr"
    );
    assert!(out.status.success(), "{:?}", out.status);
}

#[test]
fn run_feed_prints_the_notices_in_words_oldest_first() {
    let out = ha_sim(&[
        "run",
        "--preset",
        "discovery",
        "--seconds",
        "60",
        "--crash",
        "192.168.1.11:8080@10",
        "--feed",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in\n{text}"))
    };
    // The crash at 0:10, then the expiry 30 s after the last heartbeat, then the balancer.
    let crashed = at("192.168.1.11:8080 crashed");
    let expired = at("registry expired 192.168.1.11:8080");
    let dropped = at("stopped sending to 192.168.1.11:8080");
    assert!(crashed < expired && expired < dropped, "{text}");
    assert!(
        lines[crashed].starts_with("00:10.000  critical"),
        "{}",
        lines[crashed]
    );
    // Times never go backwards.
    let times: Vec<&str> = lines.iter().map(|l| &l[..9]).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}

#[test]
fn actions_in_one_spelling_with_their_aliases() {
    // `--action crash:ADDRESS@S+D`, `--fault` (its alias) and `run --crash ADDRESS@S` (the
    // same as `--action crash:ADDRESS@S`) all put the action on the timeline, so the same
    // run comes out of each.
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--preset", "discovery", "--seconds", "40"];
        args.extend_from_slice(extra);
        json(&ha_sim(&args))
    };
    let by_action = run(&["--action", "crash:192.168.1.11:8080@10"]);
    let by_fault = run(&["--fault", "crash:192.168.1.11:8080@10"]);
    let by_crash = run(&["--crash", "192.168.1.11:8080@10"]);
    assert_eq!(by_action["digest"], by_fault["digest"]);
    assert_eq!(by_action["digest"], by_crash["digest"]);
    let quiet = run(&[]);
    assert_ne!(by_action["digest"], quiet["digest"]);
    // The timeline is in the link: the link replays the crash.
    let out = ha_sim(&[
        "link",
        "--preset",
        "discovery",
        "--action",
        "crash:192.168.1.11:8080@10",
    ]);
    let link = String::from_utf8(out.stdout).unwrap();
    let replay = json(&ha_sim(&["run", "--seconds", "40", "--link", link.trim()]));
    assert_eq!(replay["digest"], by_action["digest"]);
}

#[test]
fn a_moot_timeline_action_is_skipped_and_says_why() {
    let out = ha_sim(&[
        "run",
        "--preset",
        "discovery",
        "--seconds",
        "5",
        "--crash",
        "192.168.1.10:8080@1",
        "--crash",
        "192.168.1.10:8080@2",
        "--feed",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "00:02.000  info      timeline: crash on 192.168.1.10:8080 skipped: 192.168.1.10:8080 is already down"
        ),
        "{text}"
    );
}

#[test]
fn run_traces_prints_the_newest_sampled_requests_with_their_spans() {
    let args = [
        "run",
        "--preset",
        "cascade",
        "--seconds",
        "60",
        "--traces",
        "3",
    ];
    let v = json(&ha_sim(&args));
    let traces = v.as_array().unwrap();
    assert_eq!(traces.len(), 3);
    // In the order they finished (a slow request that arrived first may finish last).
    let ends: Vec<u64> = traces
        .iter()
        .map(|t| t["end_us"].as_u64().unwrap())
        .collect();
    assert!(
        ends.windows(2).all(|w| w[0] <= w[1]),
        "the first finished first: {ends:?}"
    );
    for t in traces {
        assert_eq!(t["trace_id"].as_str().unwrap().len(), 16, "{t}");
        let spans = t["spans"].as_array().unwrap();
        assert!(spans[0]["parent"].is_null());
        assert_eq!(spans[0]["service_name"], "frontend");
        for s in &spans[1..] {
            assert!(s["parent"].as_u64().unwrap() < s["span_id"].as_u64().unwrap());
            assert!(s["start_us"].as_u64() >= spans[0]["start_us"].as_u64());
        }
    }
    // The same scenario through its link prints the same traces: a link opens the same trace.
    let link = String::from_utf8(ha_sim(&["link", "--preset", "cascade"]).stdout).unwrap();
    let again = json(&ha_sim(&[
        "run",
        "--link",
        link.trim(),
        "--seconds",
        "60",
        "--traces",
        "3",
    ]));
    assert_eq!(again, v);
    // The slowest first, in words: the list's line and each span's marks.
    let slow = json(&ha_sim(&[
        "run",
        "--preset",
        "cascade",
        "--seconds",
        "60",
        "--traces",
        "5",
        "--trace-filter",
        "slowest",
    ]));
    let lat = |t: &Value| t["end_us"].as_u64().unwrap() - t["start_us"].as_u64().unwrap();
    let slow = slow.as_array().unwrap();
    assert!(slow.windows(2).all(|w| lat(&w[0]) >= lat(&w[1])));
    assert!(slow[0]["line"].as_str().unwrap().starts_with("request "));
    let marks = slow[0]["spans"][0]["marks"].as_array().unwrap();
    assert!(marks[0].as_str().unwrap().contains(" picked "), "{marks:?}");
    // With the feed it is refused by name.
    let out = ha_sim(&["run", "--preset", "cascade", "--traces", "3", "--feed"]);
    assert_eq!(out.status.code(), Some(2));
}
