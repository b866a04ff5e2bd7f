//! The engine's Web Worker (issue 26): a dedicated module worker that instantiates this same
//! wasm module and runs there everything that runs a simulation: the live run with its
//! checkpoints, replays and lesson waits, compare mode's side B and the run digest
//! ([`crate::host::session`]). The page's main thread renders.
//!
//! The worker is this module, not a second Trunk binary: the page posts its compiled
//! `WebAssembly.Module` (`wasm_bindgen::module()`) and the URL of the JS glue Trunk
//! preloads, and the worker's boot script ([`BOOT`]) imports the glue, instantiates the
//! module and drives [`s_command`] and [`s_tick`]. Nothing more is downloaded; a second
//! binary would carry the engine, serde and `core` again, well over the page's byte ceiling
//! (BENCHMARKS.md). In the worker, `main` returns at once (there is no `window`).
//!
//! The worker's message loop and the page's spawning are a few lines of JavaScript rather than
//! `web_sys` bindings: each binding costs glue in the JS and an import in the wasm, and the page
//! has little to spare. Messages: the page posts `{s}`, a [`Command`]'s bytes
//! (`ha_engine::codec`), and the worker answers `{s}`, the bytes of the [`Reply`]s a slice
//! made; both buffers are transferred, not copied.

use crate::host::session::{Command, Reply, Session, Work};
use ha_engine::codec;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The worker's script. The first message brings the glue's URL and the module; commands that
/// come before the module is ready wait for it, in order. A command runs at once and the next
/// slice right after it; a slice that found more of what the page waits for is followed at
/// once by the next, one that found only background work (the run digest, the checkpoints'
/// run) after a rest. On a machine with two cores or fewer the rest is three times a slice
/// (48 ms after 16): the main thread, the compositor and the worker share them, and a worker
/// busy all the time made the page's tasks up to three times longer (the heaviest link's
/// longest task went from about 60 ms to 185 and 237 ms). Between slices the worker reads its
/// messages, so a newer command waits at most a slice.
const BOOT: &str = "let r,t=0;const p=navigator.hardwareConcurrency>2?0:48,go=m=>{const v=m.s_tick(),k=m.s_work();if(v.length)postMessage(v,[v.buffer]);t=k?setTimeout(go,k>1?p:0,m):0};self.onmessage=e=>{const d=e.data;if(!r){r=import(d.glue).then(m=>m.default({module_or_path:d.module}).then(()=>m));return}r.then(m=>{m.s_command(d);clearTimeout(t);t=setTimeout(go,0,m)})}";

/// The page's side: starts the worker from [`BOOT`], posts it the module, and returns a
/// function that posts a command's bytes. Replies go to `cb(bytes)`; an error to `cb()`.
const SPAWN: &str = "const w=new Worker(URL.createObjectURL(new Blob([boot],{type:'text/javascript'})),{type:'module'});w.onmessage=e=>cb(e.data);w.onerror=()=>cb();w.postMessage({glue:document.querySelector('link[rel=modulepreload]').href,module});return s=>setTimeout(()=>w.postMessage(s,[s.buffer]))";

thread_local! {
    /// On the page: the function that posts a command to the worker (`None`: no worker).
    static POST: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// On the page: the worker's messages not yet read ([`replies`]), oldest first.
    static INBOX: RefCell<Vec<js_sys::Uint8Array>> = const { RefCell::new(Vec::new()) };
}

/// Starts the worker; what it answers waits for [`replies`], and `on_error` is called if it
/// cannot run (then [`send`] returns false).
pub fn spawn(on_error: impl Fn() + 'static) {
    let cb =
        Closure::<dyn Fn(Option<js_sys::Uint8Array>)>::new(move |b: Option<js_sys::Uint8Array>| {
            match b {
                Some(b) => INBOX.with_borrow_mut(|i| i.push(b)),
                None => {
                    POST.set(None);
                    on_error();
                }
            }
        });
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

/// What the worker has answered since the last call, in order: read on the page's animation
/// frame, so decoding and drawing it is that frame's work (and a frame's time measures it).
pub fn replies() -> Vec<Reply> {
    let inbox = INBOX.with_borrow_mut(std::mem::take);
    let mut out = Vec::new();
    for b in inbox {
        out.extend(codec::decode::<Vec<Reply>>(&b.to_vec()));
    }
    out
}

/// Sends the worker `cmd` ([`crate::host::session`]). Returns false when there is no worker.
pub fn send(mut cmd: Command) -> bool {
    POST.with_borrow(|p| {
        p.as_ref()
            .map(|p| {
                let bytes = js_sys::Uint8Array::from(&codec::encode(&mut cmd)[..]);
                p.call1(&JsValue::NULL, &bytes)
            })
            .is_some()
    })
}

/// Wall-clock time one slice of the worker's work takes, ms (a frame's worth: a command that
/// comes meanwhile waits at most that).
const SLICE_MS: f64 = 16.0;

thread_local! {
    /// In the worker: the session (`None` until the page's first [`Command::Load`]), and the
    /// work its last slice found.
    static S: RefCell<(Option<Session>, Work)> = const { RefCell::new((None, Work::Idle)) };
}

/// In the worker: applies a command (its bytes). The first must be a [`Command::Load`]; it
/// builds the run.
#[wasm_bindgen]
pub fn s_command(bytes: &[u8]) {
    let cmd: Command = codec::decode(bytes);
    S.with_borrow_mut(|(s, _)| {
        if s.is_none() {
            if let Command::Load { scenario, .. } = &cmd {
                *s = Session::new(scenario);
            }
        }
        if let Some(s) = s {
            s.command(cmd, js_sys::Date::now);
        }
    });
}

/// In the worker: one slice of work ([`Session::tick`]). Returns the replies' bytes (empty:
/// none).
#[wasm_bindgen]
pub fn s_tick() -> Vec<u8> {
    let clock = js_sys::Date::now;
    S.with_borrow_mut(|(s, work)| {
        let Some(s) = s else { return Vec::new() };
        *work = s.tick(clock, clock() + SLICE_MS);
        let mut out = s.take_out();
        if out.is_empty() {
            Vec::new()
        } else {
            codec::encode(&mut out)
        }
    })
}

/// In the worker: what the last slice found: 0 idle, 1 busy (the next slice at once), 2
/// background work only (the next slice after a rest).
#[wasm_bindgen]
pub fn s_work() -> u8 {
    S.with_borrow(|(_, w)| *w as u8)
}
