//! The engine's Web Worker (issue 26): a dedicated module worker that instantiates this same
//! wasm module and computes the run digest there ([`crate::host::digest`]), so the page's main
//! thread never runs a scenario to its end.
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
//! has under a kilobyte to spare. Messages: the page posts `{id, json}` (the scenario, as
//! `Scenario::to_json` writes it); the worker answers `{id, at}` (simulated µs reached) after
//! each slice and `{id, digest}` at the end. A newer job replaces the one in progress.

use crate::host::digest::{DigestProgress, DigestRun};
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
const BOOT: &str = "let r,c=0,b=0;const p=navigator.hardwareConcurrency>2?0:150,run=m=>{const a=m.digest_slice();if(a<0){b=0;postMessage({id:c,digest:m.digest_value()})}else{postMessage({id:c,at:a});setTimeout(run,p,m)}};self.onmessage=e=>{const d=e.data;if(!r){r=import(d.glue).then(m=>m.default({module_or_path:d.module}).then(()=>m));return}r.then(m=>{if(m.digest_start(d.json)){c=d.id;if(!b){b=1;setTimeout(run,0,m)}}})}";

/// The page's side: starts the worker from [`BOOT`], posts it the module, and returns a
/// function that posts a job. Replies go to `cb(id, at, digest)`; an error to `cb(-1, -1)`.
const SPAWN: &str = "const w=new Worker(URL.createObjectURL(new Blob([boot],{type:'text/javascript'})),{type:'module'});w.onmessage=e=>cb(e.data.id,e.data.at??-1,e.data.digest);w.onerror=()=>cb(-1,-1);w.postMessage({glue:document.querySelector('link[rel=modulepreload]').href,module});return(id,json)=>w.postMessage({id,json})";

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

/// Starts the worker; `on_reply` gets its answers about the newest job ([`digest`]), and
/// `on_error` is called if it cannot run (then [`digest`] returns false).
pub fn spawn(on_reply: impl Fn(Reply) + 'static, on_error: impl Fn() + 'static) {
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
    let spawn = js_sys::Function::new_with_args("boot,module,cb", SPAWN);
    let post = spawn.call3(
        &JsValue::NULL,
        &BOOT.into(),
        &wasm_bindgen::module(),
        cb.as_ref(),
    );
    cb.forget();
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
