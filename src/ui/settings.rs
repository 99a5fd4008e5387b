//! Settings: the API base, auto-lock, and the theme.

use crate::api::base::ApiBase;
use crate::format;
use crate::ui::autolock::AutoLockSettings;
use crate::ui::common::{Alert, Tone};
use crate::ui::options::{IDLE_CHOICES, Theme, build_default_api_base};
use crate::ui::session::Session;
use leptos::prelude::*;

#[component]
pub fn SettingsPanel(on_close: Callback<()>) -> impl IntoView {
    let session = expect_context::<Session>();
    let autolock = expect_context::<AutoLockSettings>();
    let draft = RwSignal::new(session.api_base.get_untracked());
    let problem = RwSignal::new(None::<String>);
    let apply_base = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match ApiBase::parse(draft.get_untracked().trim()) {
            Ok(base) => {
                problem.set(None);
                session.set_api_base(base.as_str().to_owned());
            }
            Err(error) => problem.set(Some(error.to_string())),
        }
    };
    view! {
        <section class="fk-card" aria-labelledby="fk-settings-title">
            <h2 id="fk-settings-title">"Settings"</h2>
            <div class="fk-grid">
                <div class="fk-field">
                    <label for="fk-idle">"Lock after inactivity"</label>
                    <select id="fk-idle" on:change=move |ev| {
                        if let Ok(m) = event_target_value(&ev).parse() { autolock.idle_minutes.set(m) }
                    }>
                        {IDLE_CHOICES.iter().map(|m| view! {
                            <option value=m.to_string() selected=move || autolock.idle_minutes.get() == *m>
                                {format::duration_choice(*m)}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fk-field">
                    <span class="fk-label">"When the page is hidden"</span>
                    <label class="fk-choice">
                        <input type="checkbox" prop:checked=move || autolock.lock_when_hidden.get()
                            on:change=move |ev| autolock.lock_when_hidden.set(event_target_checked(&ev)) />
                        <span>"Lock when I switch tabs or minimise the window"</span>
                    </label>
                </div>
                <div class="fk-field">
                    <label for="fk-theme">"Theme"</label>
                    <select id="fk-theme" on:change=move |ev| {
                        if let Some(t) = Theme::parse(&event_target_value(&ev)) { session.set_theme(t) }
                    }>
                        {[Theme::System, Theme::Light, Theme::Dark].into_iter().map(|t| view! {
                            <option value=t.as_str() selected=move || session.theme.get() == t>
                                {match t { Theme::System => "Follow the system", Theme::Light => "Light", Theme::Dark => "Dark" }}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <details class="fk-advanced">
                <summary>"Advanced: the API address"</summary>
                <form on:submit=apply_base>
                    <div class="fk-field">
                        <label for="fk-api-base">"Foundry API base URL"</label>
                        <div class="fk-input-row">
                            <input id="fk-api-base" type="url" prop:value=move || draft.get()
                                on:input=move |ev| draft.set(event_target_value(&ev)) aria-describedby="fk-api-base-hint" />
                            <button type="submit">"Use this API"</button>
                        </div>
                        <span id="fk-api-base-hint" class="fk-hint">
                            "Keys you add from now on are saved for this address; a saved key is still sent only to the address it was saved for. This build's default: " {build_default_api_base()} ". "
                            "If the browser blocks the real API (CORS), serve this app behind a same-origin proxy: see the README."
                        </span>
                    </div>
                    {move || problem.get().map(|p| view! { <Alert title="That address cannot be used" tone=Tone::Error><p>{p}</p></Alert> })}
                </form>
            </details>
            <button type="button" on:click=move |_| on_close.run(())>"Close settings"</button>
        </section>
    }
    .into_any()
}
