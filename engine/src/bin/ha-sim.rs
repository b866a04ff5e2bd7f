//! `ha-sim`: run HA Lab scenarios from the command line and print JSON.
//!
//! ```text
//! ha-sim presets
//! ha-sim run --preset discovery --seed 42 --seconds 120 [--crash 192.168.1.11:8080@10]
//! ha-sim run --preset discovery --crash 192.168.1.11:8080@10 --feed   # the feed in words
//! ha-sim run --preset cascade --traces 5       # the last 5 sampled traces, spans in µs
//! ha-sim run --fault hang:192.168.1.11:8080@30+20 --fault spike=3@60+10 \
//!            --strategy user-service=least_connections
//! ha-sim run --preset discovery --dump-config > cluster.json   # edit, then:
//! ha-sim run --config cluster.json
//! ha-sim link --preset breaker --seed 7        # a share link
//! ha-sim scenario --preset breaker > s.json    # the scenario document
//! ha-sim run --link 'http://127.0.0.1:8080/#s=…'
//! ha-sim run --scenario s.json
//! ha-sim lessons                               # the built-in lessons
//! ha-sim lesson discovery                      # play one headless: steps, times, answers
//! ha-sim lesson --link 'http://127.0.0.1:8080/#s=…'   # a lesson made in the page
//! ```
//!
//! An action (`--action`, the page's vocabulary) is `KIND[=X][:TARGET]@START_S[+DURATION_S]`,
//! e.g. `crash:192.168.1.11:8080@30+20`, with KIND one of `crash`, `hang`, `slow=K` (latency
//! × K), `error=P` (error rate P in [0, 1]), `partition-heartbeats`, `partition-serving`,
//! `spike=K` (traffic × K, no target), `capacity=N` (N slots), `restart`, `recover`, `drain`,
//! `weight=W`, `strategy=KEY` (the target is a service), and `data-fail`, `data-recover`,
//! `data-join=CAPACITY`, `data-leave` (the target is a data node), and `pause-consumers`,
//! `purge` (the target is a queue or topic name); `crash`, `hang`, `partition-serving` and
//! `recover` also take a broker's address. It goes on the scenario's
//! timeline, so `ha-sim link` carries it. Aliases: `--fault SPEC` is `--action SPEC`;
//! `run --crash ADDRESS@S` is `--action crash:ADDRESS@S`, `run --restart ADDRESS@S` is
//! `--action restart:ADDRESS@S`.

use clap::{Parser, Subcommand};
use ha_engine::action::ScheduledAction;
use ha_engine::balancer::Strategy;
use ha_engine::present::Names;
use ha_engine::replication::{
    DataNodeConfig, Placement, ReplicationConfig, RingStats, Store, MAX_KEYS, MAX_NODES,
};
use ha_engine::scenario::Scenario;
use ha_engine::trace::{Span, Trace, TraceFilter};
use ha_engine::{presets, ClusterConfig, SimTime};
use serde::Serialize;
use std::io::Write;
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

/// Where the scenario comes from, and changes to it. Shared by `run`, `link` and `scenario`.
#[derive(clap::Args)]
struct Source {
    /// Preset name (see `ha-sim presets`); used unless --link, --scenario or --config is given.
    #[arg(long, default_value = presets::DEFAULT)]
    preset: String,
    /// A share link (or its `#s=…` part) to replay.
    #[arg(long, value_name = "URL", conflicts_with_all = ["scenario", "config"])]
    link: Option<String>,
    /// A scenario JSON file (as `ha-sim scenario` prints it).
    #[arg(long, value_name = "FILE", conflicts_with = "config")]
    scenario: Option<std::path::PathBuf>,
    /// A cluster JSON file (as `--dump-config` prints it), run with the default seed.
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Seed of the run (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Put an action on the timeline: `KIND[=X][:TARGET]@START_S[+DURATION_S]`, e.g.
    /// `crash:192.168.1.11:8080@30+20` (see the top of `ha-sim --help`). Repeatable.
    /// Alias: `--fault`.
    #[arg(long, value_name = "SPEC", visible_alias = "fault")]
    action: Vec<ScheduledAction>,
    /// Set a service's load-balancing strategy: `SERVICE=STRATEGY` (round_robin,
    /// weighted_round_robin, random, weighted_random, least_connections, dynamic_score,
    /// ip_hash, sticky_session, power_of_two_choices, ring_hash, maglev, peak_ewma).
    #[arg(long, value_name = "SERVICE=STRATEGY")]
    strategy: Vec<String>,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the preset names with their titles.
    Presets,
    /// List the built-in lessons: name, preset, title and step count.
    Lessons,
    /// Play a lesson headless and print, for each step, its index, the simulated time it was
    /// reached, its trigger and, for a question, the engine's answer. Exits 2 with a named
    /// error when a trigger never happens within the scenario's duration or a question has
    /// no answer.
    Lesson {
        /// A built-in lesson (see `ha-sim lessons`).
        name: Option<String>,
        /// A share link whose scenario carries a lesson (made or edited in the page).
        #[arg(long)]
        link: Option<String>,
        /// A scenario JSON file that carries a lesson.
        #[arg(long)]
        scenario: Option<std::path::PathBuf>,
    },
    /// Run a scenario and print the run report.
    Run {
        #[command(flatten)]
        source: Source,
        /// Simulated seconds to run (default: the scenario's duration).
        #[arg(long)]
        seconds: Option<f64>,
        /// Crash the instance at ADDRESS at simulated second S: `ADDRESS@S`, the same as
        /// `--action crash:ADDRESS@S`. Repeatable.
        #[arg(long, value_name = "ADDRESS@S")]
        crash: Vec<String>,
        /// Restart the instance at ADDRESS at simulated second S: `ADDRESS@S`, the same as
        /// `--action restart:ADDRESS@S`. Repeatable.
        #[arg(long, value_name = "ADDRESS@S")]
        restart: Vec<String>,
        /// Print the cluster configuration as JSON instead of running it.
        #[arg(long)]
        dump_config: bool,
        /// Print the run's event feed (one notice per line: simulated time, severity, what
        /// happened) instead of the JSON report.
        #[arg(long, conflicts_with = "dump_config")]
        feed: bool,
        /// Print the last N sampled traces as JSON (each request's spans with their parents,
        /// services, instances, attempts, outcomes and the balancer's, queue's, retry's and
        /// publish's marks; times in simulated µs) instead of the JSON report. The run keeps
        /// the newest 50 without errors and the newest 50 with errors; the scenario's
        /// `tracing.sample_rate` says how many are sampled.
        #[arg(long, value_name = "N", conflicts_with_all = ["dump_config", "feed"])]
        traces: Option<usize>,
        /// With `--traces`: only requests with errors (the request or a call it made failed),
        /// only retried ones, or the slowest first.
        #[arg(long, value_enum, default_value = "all", requires = "traces")]
        trace_filter: Filter,
    },
    /// Print a share link for a scenario.
    Link {
        #[command(flatten)]
        source: Source,
        /// The page address the link opens.
        #[arg(long, default_value = "http://127.0.0.1:8080/")]
        base: String,
    },
    /// Print a scenario as JSON (edit it, then `run --scenario`).
    Scenario {
        #[command(flatten)]
        source: Source,
    },
    /// Place keys on a consistent-hash ring (or by rendezvous hashing) and print the ring
    /// statistics, with what adding one node and removing one node would move.
    Ring {
        /// Data nodes.
        #[arg(long, default_value_t = 5)]
        nodes: usize,
        /// Virtual nodes per node (1 to 1000).
        #[arg(long, default_value_t = 100)]
        vnodes: u32,
        /// Keys to place.
        #[arg(long, default_value_t = 10_000)]
        keys: u64,
        /// Copies of each key.
        #[arg(long, default_value_t = 3)]
        replicas: u32,
        /// `ring` or `rendezvous`.
        #[arg(long, default_value = "ring")]
        placement: String,
    },
}

/// What `ha-sim ring` prints.
#[derive(Serialize)]
struct RingReport {
    nodes: usize,
    vnodes: u32,
    replicas: u32,
    placement: Placement,
    stats: RingStats,
    /// Adding `node-<n+1>`: keys whose primary moved, as a % of all keys, beside the ideal
    /// 1/(n+1).
    add_one: MoveSummary,
    /// Removing the last node gracefully.
    remove_one: MoveSummary,
}

#[derive(Serialize)]
struct MoveSummary {
    primaries_moved: u64,
    primaries_moved_pct: f64,
    copies_moved: u64,
    ideal_pct: f64,
}

fn ring(
    nodes: usize,
    vnodes: u32,
    keys: u64,
    replicas: u32,
    placement: &str,
) -> Result<String, String> {
    let placement = match placement {
        "ring" => Placement::Ring,
        "rendezvous" => Placement::Rendezvous,
        other => {
            return Err(format!(
                "unknown placement {other:?}; placements: ring, rendezvous"
            ))
        }
    };
    if keys == 0 || keys > MAX_KEYS as u64 {
        return Err(format!(
            "--keys must be between 1 and {MAX_KEYS}, got {keys}"
        ));
    }
    let capacity = keys * replicas as u64 + 1;
    let mut cfg = ReplicationConfig::uniform(nodes.max(1), vnodes, capacity);
    if nodes == 0 || nodes >= MAX_NODES {
        return Err(format!(
            "--nodes must be between 1 and {}, got {nodes}",
            MAX_NODES - 1
        ));
    }
    cfg.replicas = replicas;
    cfg.write_quorum = replicas.max(1).min(nodes as u32);
    cfg.placement = placement;
    let mut store = Store::new(cfg).map_err(|e| e.to_string())?;
    for k in 0..keys {
        store
            .write(k)
            .ok_or_else(|| format!("key {k} could not be written"))?;
    }
    let stats = store.stats();
    let summary = |r: ha_engine::replication::MoveReport, ideal: f64| MoveSummary {
        primaries_moved: r.primaries_moved,
        primaries_moved_pct: 100.0 * r.primaries_moved as f64 / r.keys.max(1) as f64,
        copies_moved: r.copies_moved,
        ideal_pct: ideal,
    };
    let mut add = store.clone();
    let added = add
        .join(DataNodeConfig {
            id: format!("node-{}", nodes + 1),
            capacity,
            weight: 1,
        })
        .map_err(|e| e.to_string())?;
    let remove_one = if nodes as u32 > replicas {
        let mut rem = store.clone();
        let removed = rem
            .leave(&format!("node-{nodes}"))
            .map_err(|e| e.to_string())?;
        summary(removed, 100.0 / nodes as f64)
    } else {
        MoveSummary {
            primaries_moved: 0,
            primaries_moved_pct: 0.0,
            copies_moved: 0,
            ideal_pct: 0.0,
        }
    };
    let report = RingReport {
        nodes,
        vnodes,
        replicas,
        placement,
        stats,
        add_one: summary(added, 100.0 / (nodes + 1) as f64),
        remove_one,
    };
    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())
}

#[derive(Serialize)]
struct PresetLine {
    name: &'static str,
    title: &'static str,
}

/// The scenario `src` names, with its seed, faults and strategies applied.
fn load(src: &Source) -> Result<Scenario, String> {
    let mut sc = if let Some(link) = &src.link {
        Scenario::from_link(link).map_err(|e| format!("bad link: {e}"))?
    } else if let Some(path) = &src.scenario {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Scenario::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
    } else if let Some(path) = &src.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let cluster: ClusterConfig = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a cluster config: {e}", path.display()))?;
        let mut sc = Scenario::default_scenario();
        sc.preset = None;
        sc.title = format!("cluster from {}", path.display());
        sc.teaches = String::new();
        sc.watch = String::new();
        sc.cluster = cluster;
        sc
    } else {
        let p = presets::by_name(&src.preset).ok_or_else(|| {
            let names: Vec<_> = presets::all().iter().map(|p| p.name).collect();
            format!(
                "unknown preset {:?}; presets: {}",
                src.preset,
                names.join(", ")
            )
        })?;
        Scenario::from_preset(&p, presets::DEFAULT_SEED)
    };
    if let Some(seed) = src.seed {
        sc.seed = seed;
    }
    sc.cluster.faults.extend(src.action.iter().cloned());
    for spec in &src.strategy {
        let (svc, key) = spec
            .split_once('=')
            .ok_or_else(|| format!("expected SERVICE=STRATEGY, got {spec:?}"))?;
        let strategy = Strategy::from_key(key).ok_or_else(|| {
            let keys: Vec<_> = Strategy::ALL.iter().map(|s| s.key()).collect();
            format!("unknown strategy {key:?}; strategies: {}", keys.join(", "))
        })?;
        let id = sc
            .cluster
            .service_id(svc)
            .ok_or_else(|| format!("no service {svc:?}"))?;
        sc.cluster
            .set_strategy(id, strategy)
            .map_err(|e| e.to_string())?;
    }
    sc.validate()
        .map_err(|e| format!("invalid scenario: {e}"))?;
    Ok(sc)
}

fn run(
    src: &Source,
    seconds: Option<f64>,
    crash: &[String],
    restart: &[String],
    dump_config: bool,
    feed: bool,
    traces: Option<(usize, Filter)>,
) -> Result<String, String> {
    let mut sc = load(src)?;
    // The aliases: `--crash ADDRESS@S` is `--action crash:ADDRESS@S`, likewise `--restart`.
    for (kind, specs) in [("crash", crash), ("restart", restart)] {
        for spec in specs {
            let action: ScheduledAction = format!("{kind}:{spec}")
                .parse()
                .map_err(|e| format!("--{kind}: {e}"))?;
            sc.cluster.faults.push(action);
        }
    }
    sc.validate()
        .map_err(|e| format!("invalid scenario: {e}"))?;
    let seconds = seconds.unwrap_or(sc.duration_s as f64);
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= MAX_SECONDS) {
        return Err(format!(
            "--seconds must be in (0, {MAX_SECONDS}], got {seconds}"
        ));
    }
    if dump_config {
        return serde_json::to_string_pretty(&sc.cluster).map_err(|e| e.to_string());
    }
    let mut sim = sc
        .simulation()
        .map_err(|e| format!("invalid scenario: {e}"))?;
    sim.run_until(SimTime((seconds * 1e6) as u64));
    if feed {
        let lines: Vec<String> = sim
            .feed()
            .map(|e| {
                format!(
                    "{}  {:<8}  {}",
                    e.at,
                    e.notice.severity().label(),
                    ha_engine::present::notice(&e.notice, &sim)
                )
            })
            .collect();
        return Ok(lines.join("\n"));
    }
    if let Some((n, filter)) = traces {
        let filter = match filter {
            Filter::All => TraceFilter::All,
            Filter::Failed => TraceFilter::Failed,
            Filter::Retried => TraceFilter::Retried,
            Filter::Slowest => TraceFilter::Slowest,
        };
        // The list's order (newest or slowest first), then the N first of it, oldest first
        // when it is by time (as the run made them).
        let mut chosen = ha_engine::trace::select(sim.traces(), None, None, filter);
        chosen.truncate(n);
        if filter != TraceFilter::Slowest {
            chosen.reverse();
        }
        let out: Vec<TraceOut> = chosen.iter().map(|t| TraceOut::new(t, &sim)).collect();
        return serde_json::to_string_pretty(&out).map_err(|e| e.to_string());
    }
    serde_json::to_string_pretty(&sim.report()).map_err(|e| e.to_string())
}

/// `run --trace-filter`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Filter {
    All,
    Failed,
    Retried,
    Slowest,
}

/// A sampled trace as `run --traces` prints it: the engine's [`Trace`] with each span's
/// service name, instance address, label and marks in words (`ha_engine::present::trace`,
/// the page's words) beside its ids.
#[derive(Serialize)]
struct TraceOut<'a> {
    /// The trace id, 16 hex digits.
    trace_id: String,
    /// The trace list's line.
    line: String,
    #[serde(flatten)]
    trace: TraceHead<'a>,
    spans: Vec<SpanOut<'a>>,
}

#[derive(Serialize)]
struct TraceHead<'a> {
    request: u64,
    start_us: u64,
    end_us: Option<u64>,
    outcome: &'a Option<ha_engine::common::Outcome>,
    dropped_spans: u32,
}

#[derive(Serialize)]
struct SpanOut<'a> {
    service_name: &'a str,
    address: Option<&'a str>,
    label: String,
    marks: Vec<String>,
    #[serde(flatten)]
    span: &'a Span,
}

impl<'a> TraceOut<'a> {
    fn new(t: &'a Trace, sim: &'a ha_engine::Simulation) -> Self {
        TraceOut {
            trace_id: format!("{:016x}", t.trace_id),
            line: ha_engine::present::trace::trace_line(t),
            trace: TraceHead {
                request: t.request,
                start_us: t.start_us,
                end_us: t.end_us,
                outcome: &t.outcome,
                dropped_spans: t.dropped_spans,
            },
            spans: t
                .spans
                .iter()
                .map(|s| SpanOut {
                    service_name: sim.service(s.service),
                    address: s.instance.map(|i| sim.address(i)),
                    label: ha_engine::present::trace::span_label(s, sim),
                    marks: ha_engine::present::trace::span_marks(s, sim),
                    span: s,
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct LessonLine {
    name: &'static str,
    preset: Option<String>,
    title: String,
    steps: usize,
}

fn lessons() -> Result<String, String> {
    let mut lines = Vec::new();
    for (name, _) in ha_engine::scenario::lessons::ALL {
        let sc = ha_engine::scenario::lessons::scenario(name)
            .expect("listed")
            .map_err(|e| format!("lesson {name}: {e}"))?;
        let l = sc.lesson.expect("a lesson");
        lines.push(LessonLine {
            name,
            preset: sc.preset,
            title: l.title,
            steps: l.steps.len(),
        });
    }
    serde_json::to_string_pretty(&lines).map_err(|e| e.to_string())
}

fn lesson(
    name: Option<&str>,
    link: Option<&str>,
    path: Option<&std::path::Path>,
) -> Result<String, String> {
    let sc = match (name, link, path) {
        (Some(n), None, None) => ha_engine::scenario::lessons::scenario(n)
            .ok_or_else(|| {
                let names: Vec<_> = ha_engine::scenario::lessons::ALL
                    .iter()
                    .map(|(n, _)| *n)
                    .collect();
                format!("unknown lesson {n:?}; lessons: {}", names.join(", "))
            })?
            .map_err(|e| format!("lesson {n}: {e}"))?,
        (None, Some(l), None) => Scenario::from_link(l).map_err(|e| format!("bad link: {e}"))?,
        (None, None, Some(p)) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            Scenario::from_json(&text).map_err(|e| format!("{}: {e}", p.display()))?
        }
        _ => return Err("give one of: a lesson name, --link URL or --scenario FILE".into()),
    };
    let steps = ha_engine::sim::player::play(&sc).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&steps).map_err(|e| e.to_string())
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
            source,
            seconds,
            crash,
            restart,
            dump_config,
            feed,
            traces,
            trace_filter,
        } => run(
            &source,
            seconds,
            &crash,
            &restart,
            dump_config,
            feed,
            traces.map(|n| (n, trace_filter)),
        ),
        Cmd::Lessons => lessons(),
        Cmd::Lesson {
            name,
            link,
            scenario,
        } => lesson(name.as_deref(), link.as_deref(), scenario.as_deref()),
        Cmd::Link { source, base } => load(&source).map(|sc| sc.to_link(&base)),
        Cmd::Scenario { source } => load(&source).map(|sc| sc.to_json()),
        Cmd::Ring {
            nodes,
            vnodes,
            keys,
            replicas,
            placement,
        } => ring(nodes, vnodes, keys, replicas, &placement),
    };
    match out {
        Ok(text) => {
            // Not println!: it panics when the reader has gone (`ha-sim presets | head -1`).
            // A closed pipe is a reader that has read enough: exit quietly.
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("ha-sim: cannot write the output: {e}");
                    ExitCode::from(2)
                }
                _ => ExitCode::SUCCESS,
            }
        }
        Err(e) => {
            eprintln!("ha-sim: {e}");
            ExitCode::from(2)
        }
    }
}
