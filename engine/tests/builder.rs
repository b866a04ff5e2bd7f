//! The scenario builder's document (`scenario::draft`): a cluster built from blank by field
//! edits runs and round-trips through a link; every field the page offers reads and writes
//! back; bad values are refused by name and change nothing; undo and redo restore scenarios
//! exactly; renames follow every reference.

use ha_engine::config::ClusterConfig;
use ha_engine::present::builder::{self, Field, Kind};
use ha_engine::scenario::draft::{self, blank, choices, value, Draft, DraftError, Edit, Input};
use ha_engine::{ConfigError, Scenario, ScenarioError, Simulation};

fn set(d: &mut Draft, key: &str, to: Input) {
    d.apply(&Edit::Set(key.into(), to.clone()))
        .unwrap_or_else(|e| panic!("{key} = {to:?}: {e}"));
}

fn num(d: &mut Draft, key: &str, x: f64) {
    set(d, key, Input::Num(x));
}

fn text(d: &mut Draft, key: &str, t: &str) {
    set(d, key, Input::Text(t.into()));
}

fn on(d: &mut Draft, key: &str) {
    set(d, key, Input::Flag(true));
}

/// The cluster: two services with a dependency, three instances with different
/// latencies, a breaker, an alert rule and a crash on the timeline.
fn built() -> Draft {
    let mut d = Draft::new(blank(7));
    d.apply(&Edit::AddService).unwrap();
    text(&mut d, "s1.name", "db");
    on(&mut d, "s0.calls.1");
    d.apply(&Edit::RemoveInstance(1, 1)).unwrap();
    num(&mut d, "s0.i0.lat.median_ms", 10.0);
    num(&mut d, "s0.i1.lat.median_ms", 40.0);
    text(&mut d, "s1.i0.lat", "exponential");
    num(&mut d, "s1.i0.lat.mean_ms", 5.0);
    on(&mut d, "s0.breaker");
    d.apply(&Edit::AddAlert).unwrap();
    text(&mut d, "a0.metric", "p99_ms");
    num(&mut d, "a0.threshold", 100.0);
    d.apply(&Edit::AddFault).unwrap();
    text(&mut d, "f0.target", "10.0.2.1:8080");
    d
}

#[test]
fn a_cluster_built_from_blank_runs_and_round_trips_through_a_link() {
    let d = built();
    let sc = d.scenario();
    assert_eq!(sc.cluster.services.len(), 2);
    assert_eq!(sc.cluster.services[0].depends_on, vec!["db".to_string()]);
    let n: usize = sc.cluster.services.iter().map(|s| s.instances.len()).sum();
    assert_eq!(n, 3);
    assert!(sc.cluster.services[0].breaker.is_some());
    assert_eq!(sc.cluster.alerts.as_ref().unwrap().len(), 1);
    assert_eq!(
        sc.cluster.faults[0].target.as_deref(),
        Some("10.0.2.1:8080")
    );

    let link = sc.to_link("http://127.0.0.1/");
    let back = Scenario::from_link(&link).unwrap();
    assert_eq!(&back, sc);
    let run = |s: &Scenario| {
        let mut sim = s.simulation().unwrap();
        sim.run_for(60_000_000);
        (sim.digest(), sim.stats())
    };
    let (a, stats) = run(sc);
    assert_eq!(a, run(&back).0);
    // The dependency is called and the crash happens.
    assert!(stats.calls > 4_000, "{stats:?}");
    assert!(sim_failed_during_crash(sc));
}

fn sim_failed_during_crash(sc: &Scenario) -> bool {
    let mut sim = sc.simulation().unwrap();
    sim.run_for(60_000_000);
    let crashed = sim
        .feed()
        .any(|e| format!("{:?}", e.notice).contains("Crash"));
    crashed
}

#[test]
fn a_dependency_cycle_is_refused_naming_it() {
    let mut d = built();
    let before = d.scenario().clone();
    let e = d
        .apply(&Edit::Set("s1.calls.0".into(), Input::Flag(true)))
        .unwrap_err();
    assert!(
        matches!(
            e,
            DraftError::Invalid(ScenarioError::Config(ConfigError::DependencyCycle(_)))
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("cycle"), "{e}");
    assert_eq!(d.scenario(), &before);
}

#[test]
fn bad_values_are_refused_by_name_and_change_nothing() {
    let mut d = built();
    let before = d.scenario().clone();
    let cases = [
        ("rate_rps", Input::Num(f64::NAN), "type a number"),
        ("s0.i0.weight", Input::Num(-1.0), "whole number"),
        ("s0.i0.concurrency", Input::Num(2.5), "whole number"),
        (
            "rate_rps",
            Input::Num(1e9),
            "type a number from 0 to 100000",
        ),
        (
            "s0.i0.error_rate",
            Input::Num(2.0),
            "type a number from 0 to 1",
        ),
        ("heartbeat_interval_ms", Input::Num(60_000.0), "heartbeat"),
        ("s1.name", Input::Text("api".into()), "two services"),
        (
            "s0.strategy",
            Input::Text("fastest".into()),
            "not one of the choices",
        ),
        ("s0.nope", Input::Num(1.0), "no field"),
        ("title", Input::Text(" ".into()), "title"),
    ];
    for (key, to, words) in cases {
        let e = d.apply(&Edit::Set(key.into(), to.clone())).unwrap_err();
        assert!(e.to_string().contains(words), "{key} = {to:?}: {e}");
        assert_eq!(d.scenario(), &before, "{key} changed the scenario");
    }
    // Beside its field the words leave out the config's path; the error still holds it.
    let e = d
        .apply(&Edit::Set("rate_rps".into(), Input::Num(1e9)))
        .unwrap_err();
    assert!(
        matches!(&e, DraftError::Invalid(ScenarioError::Config(ConfigError::Range(f, ..))) if f == "traffic.rate_rps"),
        "{e:?}"
    );
    assert_eq!(
        d.apply(&Edit::RemoveService(5)),
        Err(DraftError::NoSuchItem)
    );
    let mut one = Draft::new(blank(1));
    assert_eq!(
        one.apply(&Edit::RemoveService(0)),
        Err(DraftError::Last("service"))
    );
}

#[test]
fn undo_restores_the_previous_scenario_exactly_and_redo_comes_back() {
    let mut d = Draft::new(blank(3));
    let mut states = vec![d.scenario().clone()];
    d.apply(&Edit::AddService).unwrap();
    states.push(d.scenario().clone());
    num(&mut d, "s1.i0.weight", 5.0);
    states.push(d.scenario().clone());
    on(&mut d, "s0.hc");
    states.push(d.scenario().clone());
    // Setting a field to its value is not an edit.
    assert_eq!(
        d.apply(&Edit::Set("s1.i0.weight".into(), Input::Num(5.0))),
        Ok(false)
    );
    assert_eq!(d.history(), (3, 0));
    for want in states.iter().rev().skip(1) {
        assert!(d.undo());
        assert_eq!(d.scenario(), want);
    }
    assert!(!d.undo());
    for want in states.iter().skip(1) {
        assert!(d.redo());
        assert_eq!(d.scenario(), want);
    }
    assert!(!d.redo());
    // A new edit after an undo forgets the redo.
    d.undo();
    num(&mut d, "rate_rps", 10.0);
    assert_eq!(d.history().1, 0);
}

/// A change made outside the builder (a preset, an import, a crash clicked onto the
/// timeline) is followed: edits go on from it, and one undo goes back to the builder's.
#[test]
fn a_change_outside_the_builder_is_followed_and_undoable() {
    let mut d = built();
    let mine = d.scenario().clone();
    let mut clicked = mine.clone();
    clicked
        .cluster
        .faults
        .push(clicked.cluster.faults[0].clone());
    clicked.cluster.faults[1].at_ms = 90_000;
    assert!(d.follow(clicked.clone()));
    assert!(
        !d.follow(clicked.clone()),
        "the same scenario is not a change"
    );
    num(&mut d, "rate_rps", 70.0);
    assert_eq!(d.scenario().cluster.faults, clicked.cluster.faults);
    assert!(d.undo());
    assert_eq!(d.scenario(), &clicked);
    assert!(d.undo());
    assert_eq!(d.scenario(), &mine);
}

#[test]
fn renames_follow_every_reference_and_removals_drop_them() {
    let mut d = built();
    text(&mut d, "s1.name", "store");
    text(&mut d, "s1.i0.address", "10.9.9.9:5432");
    let sc = d.scenario();
    assert_eq!(sc.cluster.services[0].depends_on, vec!["store".to_string()]);
    // Its instances named after it follow.
    assert_eq!(sc.cluster.services[1].instances[0].id, "store-1");
    assert_eq!(
        sc.cluster.faults[0].target.as_deref(),
        Some("10.9.9.9:5432")
    );
    d.apply(&Edit::RemoveService(1)).unwrap();
    let sc = d.scenario();
    assert!(sc.cluster.services[0].depends_on.is_empty());
    assert!(sc.cluster.faults.is_empty());
}

/// A scenario with every mechanism on: the fixture's cluster, plus a token bucket.
fn everything() -> Scenario {
    let cluster: ClusterConfig =
        serde_json::from_str(include_str!("../../tests/fixtures/all-mechanisms.json")).unwrap();
    let mut sc = blank(1);
    sc.cluster = cluster;
    sc.validate().unwrap();
    sc
}

/// Every field the page offers, as (full key, field) for `sc`.
fn fields(sc: &Scenario) -> Vec<(String, Field)> {
    let mut out = Vec::new();
    let top = [
        builder::RUN,
        builder::TRAFFIC,
        builder::REGISTRY,
        builder::DATA,
        builder::MESSAGING,
    ];
    for f in top.into_iter().flatten() {
        out.push((f.key.to_string(), *f));
    }
    let services = sc.cluster.services.len();
    let queues = sc.cluster.messaging.as_ref().map_or(0, |m| m.queues.len());
    for (i, s) in sc.cluster.services.iter().enumerate() {
        for f in builder::SERVICE {
            out.push((format!("s{i}.{}", f.key), *f));
        }
        for j in (0..services).filter(|j| *j != i) {
            out.push((format!("s{i}.{}{j}", builder::CALLS.key), builder::CALLS));
        }
        for q in 0..queues {
            out.push((
                format!("s{i}.{}{q}", builder::PUBLISHES.key),
                builder::PUBLISHES,
            ));
        }
        for j in 0..s.instances.len() {
            for f in builder::INSTANCE {
                out.push((format!("s{i}.i{j}.{}", f.key), *f));
            }
        }
    }
    for k in 0..sc.cluster.alerts.as_ref().map_or(0, Vec::len) {
        for f in builder::ALERT {
            out.push((format!("a{k}.{}", f.key), *f));
        }
    }
    for k in 0..sc.cluster.faults.len() {
        for f in builder::FAULT {
            out.push((format!("f{k}.{}", f.key), *f));
        }
    }
    for k in 0..queues {
        for f in builder::QUEUE {
            out.push((format!("q{k}.{}", f.key), *f));
        }
        for i in 0..services {
            out.push((
                format!("q{k}.{}{i}", builder::CONSUMER.key),
                builder::CONSUMER,
            ));
        }
    }
    out
}

#[test]
fn every_field_the_page_offers_reads_and_writes_back_unchanged() {
    let mut sc = everything();
    sc.cluster.gateway.rate_limit = None;
    let mut seen = 0;
    for variant in [sc.clone(), built().scenario().clone()] {
        let d = Draft::new(variant.clone());
        for (key, f) in fields(&variant) {
            let Some(v) = value(&variant, &key) else {
                continue;
            };
            seen += 1;
            let to = match f.kind {
                Kind::Number => Input::Num(v.parse().unwrap_or_else(|_| panic!("{key}: {v}"))),
                Kind::Switch => Input::Flag(v == "true"),
                Kind::Text | Kind::Prose => Input::Text(v.clone()),
                Kind::Choice => {
                    let options = choices(&variant, &key).unwrap_or_else(|| panic!("{key}"));
                    assert!(
                        options.iter().any(|(k, _)| *k == v),
                        "{key}: {v} not offered"
                    );
                    Input::Text(v.clone())
                }
            };
            if f.kind == Kind::Number {
                assert!(!f.lo.is_empty() && !f.hi.is_empty(), "{key} has no range");
            }
            let after = d
                .check(&Edit::Set(key.clone(), to))
                .unwrap_or_else(|e| panic!("{key} = {v}: {e}"));
            assert_eq!(after, variant, "{key} = {v} changed the scenario");
        }
    }
    assert!(seen > 150, "only {seen} fields read");
}

#[test]
fn each_switch_turns_its_mechanism_on_with_defaults_that_validate() {
    let mut d = Draft::new(blank(2));
    d.apply(&Edit::AddService).unwrap();
    for key in [
        "s0.hc",
        "s0.outlier",
        "s0.breaker",
        "s0.timeout",
        "data",
        "mq",
        "watch_registry",
    ] {
        on(&mut d, key);
        assert_eq!(value(d.scenario(), key).as_deref(), Some("true"), "{key}");
    }
    for (key, v) in [
        ("rl", "token_bucket"),
        ("rl", "sliding_window"),
        ("s0.breaker.trip", "failure_rate"),
        ("s0.i0.lat", "constant"),
        ("s0.strategy", "ring_hash"),
    ] {
        text(&mut d, key, v);
        assert_eq!(value(d.scenario(), key).as_deref(), Some(v));
    }
    // The settings of a switched-on mechanism are fields now; another kind's are not.
    assert!(value(d.scenario(), "s0.breaker.window_ms").is_some());
    assert!(value(d.scenario(), "s0.breaker.failures").is_none());
    assert!(value(d.scenario(), "s0.lb.ring_vnodes").is_some());
    // Messaging: the first service publishes to the queue the last one consumes.
    d.apply(&Edit::AddQueue).unwrap();
    num(&mut d, "s0.publishes.1", 2.0);
    let m = d.scenario().cluster.messaging.clone().unwrap();
    assert_eq!(m.queues.len(), 2);
    assert_eq!(d.scenario().cluster.services[0].publishes.len(), 2);
    // Every timeline kind can be picked on a cluster that has something for it to act on.
    d.apply(&Edit::AddFault).unwrap();
    for kind in draft::FAULT_KINDS {
        text(&mut d, "f0.kind", kind);
    }
    let mut sim = d.scenario().simulation().unwrap();
    sim.run_for(5_000_000);
}

#[test]
fn latency_preview_follows_each_distribution() {
    use ha_engine::rng::LatencyDist;
    let (p50, p99) = draft::latency_preview(&LatencyDist::LogNormal {
        median_ms: 20.0,
        sigma: 0.5,
    });
    assert_eq!(p50, 20.0);
    assert!((p99 - 63.96).abs() < 0.05, "{p99}");
    let (p50, p99) = draft::latency_preview(&LatencyDist::Exponential { mean_ms: 10.0 });
    assert!(
        (p50 - 6.93).abs() < 0.01 && (p99 - 46.05).abs() < 0.01,
        "{p50} {p99}"
    );
}

/// The inspector offers *Calls X* only where it would not close a cycle: `ClusterView::calls`
/// follows dependencies transitively (the cascade preset: frontend → order-service →
/// user-service).
#[test]
fn the_view_knows_who_calls_whom_through_other_services() {
    let v = Simulation::new(ha_engine::presets::cascade().config, 1)
        .unwrap()
        .view();
    let at = |name: &str| v.services.iter().position(|s| s.name == name).unwrap();
    let (front, order, user) = (at("frontend"), at("order-service"), at("user-service"));
    assert!(v.calls(front, order) && v.calls(order, user));
    assert!(v.calls(front, user), "through order-service");
    assert!(!v.calls(user, front) && !v.calls(order, front) && !v.calls(user, order));
}

/// A new instance takes the next address after the service's last one, on its port
/// (user-service at 192.168.1.10 and .11:8080 gets 192.168.1.12:8080); a service without
/// instances gets 10.0.S.N:8080.
#[test]
fn a_new_instance_follows_its_services_addresses() {
    let mut d = Draft::new(Scenario::default_scenario());
    d.apply(&Edit::AddInstance(0)).unwrap();
    let user = &d.scenario().cluster.services[0];
    assert_eq!(user.instances.last().unwrap().address, "192.168.1.12:8080");
    d.apply(&Edit::AddService).unwrap();
    let s = d.scenario().cluster.services.len();
    let new = &d.scenario().cluster.services[s - 1];
    assert!(
        new.instances
            .iter()
            .all(|i| i.address.starts_with(&format!("10.0.{s}."))),
        "{:?}",
        new.instances
    );
}

/// Every field's words as the page labels it (label, then unit and range), part by part: the
/// builder's words, golden (`UPDATE_EXPECT=1` rewrites `builder-fields.txt`).
#[test]
fn every_fields_label_unit_and_range_in_words() {
    let parts: [(&str, &[Field]); 11] = [
        ("run", builder::RUN),
        ("traffic", builder::TRAFFIC),
        ("registry", builder::REGISTRY),
        ("service", builder::SERVICE),
        (
            "calls, publishes, consumer",
            &[builder::CALLS, builder::PUBLISHES, builder::CONSUMER],
        ),
        ("instance", builder::INSTANCE),
        ("alert", builder::ALERT),
        ("fault", builder::FAULT),
        ("data", builder::DATA),
        ("messaging", builder::MESSAGING),
        ("queue", builder::QUEUE),
    ];
    let mut out = String::new();
    for (part, fields) in parts {
        out += &format!("## {part}\n");
        for f in fields {
            let hint = f.hint();
            let sep = if hint.is_empty() { "" } else { " " };
            out += &format!("{}: {}{sep}{hint}\n", f.key, f.label);
        }
    }
    expect_test::expect_file!["builder-fields.txt"].assert_eq(&out);
}
