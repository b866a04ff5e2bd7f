//! The engine's speed in wasm, in headless Chromium, on the standard workloads of
//! [`ha_engine::bench`] (the same ones the native criterion bench measures).
//!
//! Not part of the test command: `scripts/bench.sh` runs it optimised with
//! `cargo test --profile bench --target wasm32-unknown-unknown --test wasm_bench -- --nocapture`
//! and reads the `BENCH` lines: id, work items, wall ms, items per second.
#![cfg(target_arch = "wasm32")]

use ha_engine::bench;

/// The page's allocator (`src/main.rs`), so the engine is measured as the page runs it.
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .expect("a window with performance.now()")
}

/// Runs `f` until at least `min_ms` of wall time and `min_iters` calls; returns (calls, ms).
fn timed(min_ms: f64, min_iters: u32, mut f: impl FnMut() -> u64) -> (u64, u32, f64) {
    let mut sum = 0;
    let mut n = 0;
    let t0 = now_ms();
    while n < min_iters || now_ms() - t0 < min_ms {
        sum += f();
        n += 1;
    }
    (sum, n, now_ms() - t0)
}

#[wasm_bindgen_test]
fn wasm_engine_throughput() {
    for w in bench::workloads() {
        let warm = bench::warmed(&w);
        // One untimed iteration (JIT tiers up), then the timed ones.
        bench::iteration(&warm);
        let (work, iters, ms) = timed(3_000.0, 5, || bench::iteration(&warm));
        console_log!(
            "BENCH {} {} {:.1} {:.0} ({} iterations)",
            w.id,
            work,
            ms,
            work as f64 / (ms / 1e3),
            iters
        );
        assert!(work > 0);
    }
    let ring = bench::ring(1_000, 1_000);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    const BATCH: u32 = 100_000;
    let (sum, batches, ms) = timed(1_000.0, 1, || {
        let mut acc = 0u64;
        for _ in 0..BATCH {
            acc += bench::replicas(&ring, bench::next_key(&mut state))[0] as u64;
        }
        acc
    });
    assert!(sum > 0);
    console_log!(
        "BENCHRING {:.1} ns per replica-set lookup, 1,000 nodes × 1,000 virtual nodes",
        ms * 1e6 / (batches as f64 * BATCH as f64)
    );
}
