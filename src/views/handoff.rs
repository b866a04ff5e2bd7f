//! Keyboard focus across Crash and Restart, which disable each other: the pressed one hands
//! focus to the other once the engine has applied the action (its instance's `up` state has
//! changed), which may be a frame or more after the click, so focus is not dropped to the page.

use leptos::html::Button;
use leptos::prelude::*;

/// The two buttons of one instance and the handoff in flight. `Copy`, for event handlers.
#[derive(Clone, Copy)]
pub struct Handoff {
    /// Put on the Crash button (`node_ref=`).
    pub crash: NodeRef<Button>,
    /// Put on the Restart button.
    pub restart: NodeRef<Button>,
    /// The `up` state awaited and the button to focus then.
    pending: StoredValue<Option<(bool, NodeRef<Button>)>>,
}

impl Handoff {
    /// A handoff that follows `up`, the instance's process state.
    pub fn new(up: impl Fn() -> bool + 'static) -> Handoff {
        let handoff = Handoff {
            crash: NodeRef::new(),
            restart: NodeRef::new(),
            pending: StoredValue::new(None),
        };
        let pending = handoff.pending;
        Effect::new(move |_| {
            let now_up = up();
            if let Some((want_up, next)) = pending.get_value() {
                if now_up == want_up {
                    pending.set_value(None);
                    request_animation_frame(move || {
                        if let Some(button) = next.get_untracked() {
                            let _ = button.focus();
                        }
                    });
                }
            }
        });
        handoff
    }

    /// Crash was pressed: focus Restart once the instance is down.
    pub fn crashed(self) {
        self.pending.set_value(Some((false, self.restart)));
    }

    /// Restart was pressed: focus Crash once the instance is up.
    pub fn restarted(self) {
        self.pending.set_value(Some((true, self.crash)));
    }
}
