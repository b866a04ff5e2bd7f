//! The engine's Web Worker (issue 26): a dedicated module worker that instantiates this same
//! wasm module and runs there the run digest ([`crate::host::digest`], so the page's main
//! thread never runs a scenario to its end) and compare mode's side B
//! ([`crate::host::side_b`], so compare mode costs the main thread one engine, not two).
//!
//! The worker is this module, not a second Trunk binary: the page posts its compiled
//! `WebAssembly.Module` (`wasm_bindgen::module()`) and the URL of the JS glue Trunk
//! preloads, and the worker's boot script ([`BOOT`]) imports the glue, instantiates the
//! module and drives [`digest_start`] and [`digest_slice`]. Nothing more is downloaded; a
//! second binary would carry the engine, serde and `core` again, well over the page's byte
//! ceiling (BENCHMARKS.md). In the worker, `main` returns at once (there is no `window`).
//!
//! The worker's message loop and the page's spawning are a few lines of JavaScript rather than
//! `web_sys` bindings: each binding costs glue in the JS and an import in the wasm, and the page
//! has little to spare. Messages: the page posts `{id, json}` (the scenario, as
//! `Scenario::to_json` writes it); the worker answers `{id, at}` (simulated µs reached) after
//! each slice and `{id, digest}` at the end. A newer job replaces the one in progress. For side
//! B the page posts `{b}`, a `BCommand`'s bytes (`ha_engine::codec`), and the worker answers
//! `{b}`, a `BReply`'s; both buffers are transferred, not copied.

use crate::host::digest::{DigestProgress, DigestRun};
use crate::host::side_b::{self, BCommand, BReply, SideBRun};
use ha_engine::codec;
use ha_engine::scenario::Scenario;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The worker's script. The first message brings the glue's URL and the module; jobs that come
/// before the module is ready wait for it. Between slices the worker reads its messages, so a
/// newer scenario replaces the job within a slice. On a machine with two cores or fewer it
/// rests three times as long as each slice took (150 ms after 50): the main thread, the
/// compositor and the worker share them, and a worker busy all the time made the page's tasks
/// up to three times longer (the heaviest link's longest task went from about 60 ms to 185 and
/// 237 ms) and the page's frames late enough to break a timed e2e test.
/// Side B's slices run one after another while it has work (`b_slice`, `b_busy`), with no
/// rest: side B catching up must outrun side A, which keeps playing (a few wall-clock seconds
/// after compare mode starts at 100× on `stress`).
const BOOT: &str = "let r,c=0,b=0,q=0;const p=navigator.hardwareConcurrency>2?0:150,run=m=>{const a=m.digest_slice();if(a<0){b=0;postMessage({id:c,digest:m.digest_value()})}else{postMessage({id:c,at:a});setTimeout(run,p,m)}},bs=m=>{const v=m.b_slice();if(v.length)postMessage({b:v},[v.buffer]);if(m.b_busy())setTimeout(bs,0,m);else q=0};self.onmessage=e=>{const d=e.data;if(!r){r=import(d.glue).then(m=>m.default({module_or_path:d.module}).then(()=>m));return}r.then(m=>{if(d.b){m.b_command(d.b);if(!q){q=1;setTimeout(bs,0,m)}}else if(m.digest_start(d.json)){c=d.id;if(!b){b=1;setTimeout(run,0,m)}}})}";

/// The page's side: starts the worker from [`BOOT`], posts it the module, and returns a
/// function that posts a job (or, with `b`, side B's command). Replies go to
/// `cb(id, at, digest)`, side B's to `cbb(bytes)`; an error to `cb(-1, -1)`.
const SPAWN: &str = "const w=new Worker(URL.createObjectURL(new Blob([boot],{type:'text/javascript'})),{type:'module'});w.onmessage=e=>e.data.b?cbb(e.data.b):cb(e.data.id,e.data.at??-1,e.data.digest);w.onerror=()=>cb(-1,-1);w.postMessage({glue:document.querySelector('link[rel=modulepreload]').href,module});return(id,json,b)=>b?w.postMessage({b},[b.buffer]):w.postMessage({id,json})";

/// Wall-clock time one slice of the digest run takes in the worker, ms.
const SLICE_MS: f64 = 50.0;

/// What the worker says about a job.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The run has got to this simulated µs.
    At(u64),
    /// The run digest (16 hex digits), at the scenario's duration.
    Digest(String),
}

thread_local! {
    /// On the page: the function that posts a job to the worker (`None`: no worker) and the
    /// newest job's id (answers about older ones are dropped).
    static POST: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    static NEWEST: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Starts the worker; `on_reply` gets its answers about the newest job ([`digest`]), `on_b`
/// side B's views ([`side_b`]), and `on_error` is called if it cannot run (then [`digest`]
/// and [`side_b`] return false).
pub fn spawn(
    on_reply: impl Fn(Reply) + 'static,
    on_b: impl Fn(BReply) + 'static,
    on_error: impl Fn() + 'static,
) {
    let cb = Closure::<dyn Fn(f64, f64, Option<String>)>::new(
        move |id: f64, at: f64, digest: Option<String>| {
            if id < 0.0 {
                POST.set(None);
                on_error();
            } else if id as u32 == NEWEST.get() {
                on_reply(digest.map_or(Reply::At(at as u64), Reply::Digest));
            }
        },
    );
    let cbb = Closure::<dyn Fn(js_sys::Uint8Array)>::new(move |b: js_sys::Uint8Array| {
        on_b(codec::decode(&b.to_vec()));
    });
    let spawn = js_sys::Function::new_with_args("boot,module,cb,cbb", SPAWN);
    let post = spawn.call4(
        &JsValue::NULL,
        &BOOT.into(),
        &wasm_bindgen::module(),
        cb.as_ref(),
        cbb.as_ref(),
    );
    cb.forget();
    cbb.forget();
    POST.set(post.ok().map(Into::into));
}

/// Asks the worker for the run digest of `sc` (replacing any job in progress). Returns
/// false when there is no worker.
pub fn digest(sc: &Scenario) -> bool {
    let id = NEWEST.get().wrapping_add(1);
    NEWEST.set(id);
    POST.with_borrow(|p| {
        p.as_ref()
            .map(|p| p.call2(&JsValue::NULL, &id.into(), &sc.to_json().into()))
            .is_some()
    })
}

/// Sends side B `cmd` ([`crate::host::side_b`]). Returns false when there is no worker.
pub fn side_b(mut cmd: BCommand) -> bool {
    POST.with_borrow(|p| {
        p.as_ref()
            .map(|p| {
                let bytes = js_sys::Uint8Array::from(&codec::encode(&mut cmd)[..]);
                p.call3(&JsValue::NULL, &JsValue::NULL, &JsValue::NULL, &bytes)
            })
            .is_some()
    })
}

/// Wall-clock time one slice of side B takes in the worker, ms: short, so a command that
/// comes meanwhile (side A's next instant) waits little.
const B_SLICE_MS: f64 = 12.0;

/// While side B catches up, how often its view is sent on the way, wall-clock ms.
const B_PROGRESS_MS: f64 = 250.0;

thread_local! {
    /// In the worker: compare mode's side B (`None`: off), and when its view was last sent
    /// (wall-clock ms).
    static B: RefCell<(Option<SideBRun>, f64)> = const { RefCell::new((None, 0.0)) };
}

/// In the worker: applies side B's command (its bytes).
#[wasm_bindgen]
pub fn b_command(bytes: &[u8]) {
    B.with_borrow_mut(|(b, _)| side_b::command(b, codec::decode(bytes)));
}

/// In the worker: runs side B for about [`B_SLICE_MS`] towards where the page wants it.
/// Returns its view's bytes when the page should have them (empty: not now).
#[wasm_bindgen]
pub fn b_slice() -> Vec<u8> {
    let clock = js_sys::Date::now;
    B.with_borrow_mut(|(b, sent_at)| {
        let now = clock();
        let progress = now - *sent_at > B_PROGRESS_MS;
        match b
            .as_mut()
            .and_then(|b| b.slice(clock, now + B_SLICE_MS, progress))
        {
            Some(mut reply) => {
                *sent_at = now;
                codec::encode(&mut reply)
            }
            None => Vec::new(),
        }
    })
}

/// In the worker: whether side B has work left.
#[wasm_bindgen]
pub fn b_busy() -> bool {
    B.with_borrow(|(b, _)| b.as_ref().is_some_and(SideBRun::busy))
}

thread_local! {
    /// In the worker: the digest run in progress, or the digest it ended with.
    static JOB: RefCell<Result<DigestRun, String>> = const { RefCell::new(Err(String::new())) };
}

/// In the worker: starts the digest run of the scenario `json` (replacing any in progress).
/// Returns false when it is not a scenario (the page sends only scenarios it runs).
#[wasm_bindgen]
pub fn digest_start(json: &str) -> bool {
    let Ok(sc) = Scenario::from_json(json) else {
        return false;
    };
    JOB.set(Ok(DigestRun::new(&sc)));
    true
}

/// In the worker: runs the digest run for about [`SLICE_MS`] of wall-clock time. Returns the
/// simulated µs it has got to, or -1 once it is at the scenario's duration (then
/// [`digest_value`] is the digest).
#[wasm_bindgen]
pub fn digest_slice() -> f64 {
    let clock = js_sys::Date::now;
    JOB.with_borrow_mut(|job| match job {
        Ok(run) => match run.slice(clock, clock() + SLICE_MS) {
            DigestProgress::At(us) => us as f64,
            DigestProgress::Done(d) => {
                *job = Err(d.to_string());
                -1.0
            }
        },
        Err(_) => -1.0,
    })
}

/// In the worker: the digest the last run ended with (empty before the first).
#[wasm_bindgen]
pub fn digest_value() -> String {
    JOB.with_borrow(|job| job.as_ref().err().cloned().unwrap_or_default())
}
