//! Auto-lock: after the idle time the user picked, and (if chosen) when the page is hidden.
//! The last minute shows a countdown, announced politely, so nobody is locked out mid-thought.

use crate::format;
use crate::ui::state::{KeyringState, LockReason, Phase};
use leptos::prelude::*;
use leptos_use_document_visibility::use_document_visibility;
use leptos_use_idle::{UseIdleReturn, use_idle};
use web_sys::VisibilityState;

#[derive(Clone, Copy)]
pub struct AutoLockSettings {
    pub idle_minutes: RwSignal<u32>,
    pub lock_when_hidden: RwSignal<bool>,
}

/// Watches activity while unlocked; renders the countdown in its last minute.
#[component]
pub fn AutoLock() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let settings = expect_context::<AutoLockSettings>();
    // Idle is measured in seconds by a one-second ticker against the last activity time
    // reported by use_idle, so changing the idle time applies at once.
    let UseIdleReturn {
        last_active, reset, ..
    } = use_idle(1_000);
    let now_ms = RwSignal::new(js_sys::Date::now());
    let ticker = set_interval_with_handle(
        move || now_ms.set(js_sys::Date::now()),
        std::time::Duration::from_secs(1),
    )
    .ok();
    on_cleanup(move || {
        if let Some(handle) = ticker {
            handle.clear();
        }
    });
    let remaining = move || {
        let limit = f64::from(settings.idle_minutes.get()) * 60_000.0;
        ((limit - (now_ms.get() - last_active.get())) / 1000.0).ceil() as i64
    };
    Effect::new(move |_| {
        if state.phase.get() == Phase::Unlocked && remaining() <= 0 {
            state.lock(LockReason::Idle);
        }
    });
    let visibility = use_document_visibility();
    Effect::new(move |_| {
        if visibility.get() == VisibilityState::Hidden
            && settings.lock_when_hidden.get_untracked()
            && state.phase.get_untracked() == Phase::Unlocked
        {
            state.lock(LockReason::Hidden);
        }
    });
    let stay = move |_| reset();
    view! {
        <Show when=move || { let r = remaining(); state.phase.get() == Phase::Unlocked && r > 0 && r <= 60 }>
            <div class="fk-alert fk-warning" role="status" aria-live="polite">
                <p class="fk-alert-title">"Locking soon"</p>
                <p>"The keyring locks in " {move || format::countdown(remaining())} " because of inactivity."</p>
                <button type="button" on:click=stay.clone()>"Stay unlocked"</button>
            </div>
        </Show>
    }
    .into_any()
}
