//! The picked trace (issue 25): the sampled request whose waterfall the trace panel draws and
//! whose path the topology highlights, and its place in a share link: `&trace=REQUEST@MS`, the
//! request's id and the simulated ms by which it had finished. A run is deterministic, so
//! opening the link runs to that ms and finds the same request's trace among the newest kept.

use super::Lab;
use crate::host::session::Command;
use leptos::prelude::*;

thread_local! {
    /// Whether the trace list is held now ([`Lab::hold_traces_while`]).
    static HELD: std::cell::Cell<fn() -> bool> = const { std::cell::Cell::new(|| false) };
}

impl Lab {
    /// While `held` says so, a trace list that arrives is dropped, and the next one brings it
    /// anew. The trace view holds it while a row is pressed: a row replaced between press and
    /// release gets no click (Chromium fires none). A function, not a flag the view keeps
    /// current: how a press shows is the view's to know.
    pub fn hold_traces_while(held: fn() -> bool) {
        HELD.set(held);
    }

    /// Whether a trace list that arrives now is dropped ([`Lab::hold_traces_while`]).
    pub(super) fn traces_held() -> bool {
        HELD.get()()
    }

    /// Picks the trace of `request` among those the run keeps now (none: nothing is picked),
    /// or clears the pick with `None`. The address bar follows.
    pub fn pick_trace(&self, request: Option<u64>) {
        match request {
            // The engine side sends it with the next frame ([`Lab::picked`]).
            Some(r) => {
                self.send(Command::AskTrace(r));
            }
            None => self.picked(None),
        }
    }

    /// The picked trace has come (`None`: none): shown, and the address bar follows.
    pub(super) fn picked(&self, t: Option<ha_engine::trace::Trace>) {
        self.trace.set(t);
        self.write_fragment();
    }

    /// Shows the trace list of the selection (a service or an instance; else the whole
    /// cluster) under `filter` (`None`: no list, the panel is gone): [`Lab::trace_list`]
    /// follows, at once when paused, else with the next redraw; then with every full redraw
    /// (a selection is one) and when [`Lab::want_traces`] asks.
    pub fn ask_traces(&self, filter: Option<ha_engine::trace::TraceFilter>) {
        self.send(Command::AskTraces(filter));
        if filter.is_some() && !self.playing.get_untracked() {
            self.refresh();
        }
    }

    /// The next redraw brings the trace list anew (while playing, twice a second).
    pub fn want_traces(&self) {
        self.send(Command::TracesDue);
    }

    /// The picked trace's part of a link, `&trace=REQUEST@MS` (empty when none is picked).
    pub(super) fn trace_fragment(&self) -> String {
        self.trace.with_untracked(|t| {
            t.as_ref().map_or(String::new(), |t| {
                let ms = t.end_us.unwrap_or(t.start_us).div_ceil(1_000);
                format!("&trace={}@{ms}", t.request)
            })
        })
    }

    /// Opens the `trace=REQUEST@MS` part of link fragment `frag`, if any: pauses, runs to MS
    /// and picks the trace (a part that does not parse is ignored; a request not kept then
    /// picks nothing).
    pub(super) fn open_trace_link(&self, frag: &str) {
        let Some((request, ms)) = frag
            .split('&')
            .find_map(|kv| kv.strip_prefix("trace="))
            .and_then(|v| v.split_once('@'))
            .and_then(|(r, ms)| Some((r.parse::<u64>().ok()?, ms.parse::<u64>().ok()?)))
        else {
            return;
        };
        // The worker takes the pick after the replay to MS.
        self.pause_at(ms);
        self.pick_trace(Some(request));
    }
}
