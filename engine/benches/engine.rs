//! Simulated requests per wall-clock second on the standard workloads, and hash-ring lookups
//! (criterion). `cargo bench -p ha-engine --bench engine`; `scripts/bench.sh` runs it and
//! writes the figures into BENCHMARKS.md.
//!
//! Each engine iteration clones a warmed-up simulation and simulates 5 more seconds
//! ([`ha_engine::bench::iteration`]); criterion's throughput is work items (client requests
//! plus data operations) per second of wall time.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ha_engine::bench;

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulate");
    g.sample_size(20);
    for w in bench::workloads() {
        let warm = bench::warmed(&w);
        g.throughput(Throughput::Elements(bench::iteration(&warm)));
        g.bench_function(w.id, |b| b.iter(|| bench::iteration(&warm)));
    }
    g.finish();
}

fn ring_lookup(c: &mut Criterion) {
    let ring = bench::ring(1_000, 1_000);
    let mut g = c.benchmark_group("ring");
    g.throughput(Throughput::Elements(1));
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    g.bench_function("lookup_replicas_1000_nodes_x_1000_vnodes", |b| {
        b.iter(|| black_box(bench::replicas(&ring, bench::next_key(&mut state))))
    });
    g.finish();
}

criterion_group!(benches, engine, ring_lookup);
criterion_main!(benches);
