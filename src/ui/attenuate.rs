//! Creating a restricted token from the key in use: what it may do, an expiry (7, 30, 60 or 90
//! days, a date, or the key's own), and in words what the new token will be able to do before
//! it is created. The new token is shown once, with a Copy button; the clipboard is cleared
//! after 30 s and when the page is hidden.

use crate::api::error::ApiError;
use crate::api::models::{ACTIONS, AttenuationSpec, RESOURCES, WhoAmI};
use crate::format;
use crate::restrictions::{EXPIRY_PRESET_DAYS, ExpiryChoice, new_token_summary};
use crate::secret::SecretString;
use crate::timestamp::Timestamp;
use crate::ui::api;
use crate::ui::clipboard;
use crate::ui::common::{Alert, Tone};
use crate::ui::error_panel::ApiErrorPanel;
use crate::ui::messages::vault_message;
use crate::ui::state::{KeyringState, bound_base, now};
use crate::vault::EntryMeta;
use crate::vault::agent::protocol::NewEntrySpec;
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

const CLIPBOARD_CLEAR_SECONDS: u64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preset {
    ReadOnly,
    NonDestructive,
    Custom,
}

/// What the form holds, read once per summary or submit.
struct Choices {
    preset: Preset,
    resources: Vec<&'static str>,
    actions: Vec<&'static str>,
    orgs: Vec<String>,
    expiry: ExpiryChoice,
    /// The custom date's field, `YYYY-MM-DDTHH:MM` in local time.
    custom: String,
}

impl Choices {
    /// The spec the choices make at `now`, or what is missing or wrong, in words.
    fn spec(
        &self,
        now: Timestamp,
        key_expiry: Option<Timestamp>,
    ) -> Result<AttenuationSpec, String> {
        let custom = match self.expiry {
            ExpiryChoice::Custom => parse_local_datetime(&self.custom)?,
            _ => None,
        };
        let expires_at = self
            .expiry
            .resolve(now, custom, key_expiry)
            .map_err(|problem| problem.to_string())?;
        let mut spec = AttenuationSpec {
            expires_at,
            ..AttenuationSpec::default()
        };
        match self.preset {
            Preset::ReadOnly => spec.read_only = true,
            Preset::NonDestructive => spec.non_destructive = true,
            Preset::Custom => {
                if self.resources.is_empty() && self.actions.is_empty() {
                    return Err(
                        "Choose at least one resource or action, or pick a preset.".to_owned()
                    );
                }
                spec.allowed_resources = (!self.resources.is_empty())
                    .then(|| self.resources.iter().map(|s| s.to_string()).collect());
                spec.allowed_actions = (!self.actions.is_empty())
                    .then(|| self.actions.iter().map(|s| s.to_string()).collect());
            }
        }
        spec.allowed_org_ids = (!self.orgs.is_empty()).then(|| self.orgs.clone());
        Ok(spec)
    }
}

#[component]
pub fn AttenuateDialog(
    open: RwSignal<bool>,
    whoami: LocalResource<Result<WhoAmI, ApiError>>,
    on_created: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() && !el.open() {
            let _ = el.show_modal();
        } else if !open.get() && el.open() {
            el.close();
        }
    });
    // A new token is shown once: while nobody has copied or added it, Escape does not close
    // the dialog but says what closing would lose (`NewToken`). Browsers that follow the HTML
    // standard's close watchers let a second Escape with no click between close it anyway (a
    // page may not trap anyone), and a lock still closes it.
    let unkept = RwSignal::new(Unkept::No);
    view! {
        <dialog node_ref=dialog aria-labelledby="fk-attenuate-title"
            on:cancel=move |ev: web_sys::Event| {
                if !Unkept::may_close(unkept) {
                    ev.prevent_default();
                }
            }
            on:close=move |_| open.set(false)>
            <h2 id="fk-attenuate-title">"Create a restricted token"</h2>
            <Show when=move || open.get()>
                <AttenuateForm whoami=whoami on_created=on_created unkept=unkept on_close=Callback::new(move |_| open.set(false)) />
            </Show>
        </dialog>
    }
    .into_any()
}

#[component]
fn AttenuateForm(
    whoami: LocalResource<Result<WhoAmI, ApiError>>,
    on_created: Callback<()>,
    unkept: RwSignal<Unkept>,
    on_close: Callback<()>,
) -> impl IntoView {
    let api = api::use_api();
    let who = whoami.get().and_then(Result::ok);
    let parent_expiry = who.as_ref().and_then(|w| w.token_expires_at);
    let organizations = who.map(|w| w.organizations).unwrap_or_default();
    let name = RwSignal::new(String::new());
    let preset = RwSignal::new(Preset::ReadOnly);
    let resources = RwSignal::new(Vec::<&'static str>::new());
    let actions = RwSignal::new(Vec::<&'static str>::new());
    let orgs = RwSignal::new(Vec::<String>::new());
    let expiry = RwSignal::new(String::new());
    let expiry_choice = RwSignal::new(ExpiryChoice::default_for(now(), parent_expiry));
    let choices = move || Choices {
        preset: preset.get(),
        resources: resources.get(),
        actions: actions.get(),
        orgs: orgs.get(),
        expiry: expiry_choice.get(),
        custom: expiry.get(),
    };
    // In words, before anything is created; recomputed as the choices change.
    let summary = move || match choices().spec(now(), parent_expiry) {
        Ok(spec) => new_token_summary(&spec, parent_expiry),
        Err(problem) => format!("Not complete yet: {problem}"),
    };
    let problem = RwSignal::new(None::<String>);
    let api_error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let created = StoredValue::new_local(None::<SecretString>);
    // Some(id) once created; the id itself may be missing (older API pages answered `{token}`).
    let created_id = RwSignal::new(None::<Option<String>>);
    // The key the token is made from: the new token goes to the same base and is the same
    // kind (a partner key's children stay partner keys, as the vendor asks).
    let state = expect_context::<KeyringState>();
    let parent = StoredValue::new(None::<EntryMeta>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.set(None);
        api_error.set(None);
        let label = name.get_untracked();
        if label.trim().is_empty() {
            problem.set(Some("Give the new token a name.".into()));
            return;
        }
        let spec = match untrack(choices).spec(now(), parent_expiry) {
            Ok(spec) => spec,
            Err(message) => {
                problem.set(Some(message));
                return;
            }
        };
        parent.set_value(state.active_meta_untracked());
        busy.set(true);
        spawn_local(async move {
            let result = match api.client() {
                Ok(client) => client.attenuate(&label, spec, None).await,
                Err(error) => Err(error),
            };
            busy.set(false);
            match result {
                Ok(response) => {
                    created.set_value(Some(response.token));
                    created_id.set(Some(response.id));
                    on_created.try_run(());
                }
                Err(error) => api_error.set(Some(error)),
            }
        });
    };

    let toggle = |list: RwSignal<Vec<&'static str>>, item: &'static str, on: bool| {
        list.update(|l| {
            l.retain(|x| *x != item);
            if on {
                l.push(item);
            }
        })
    };

    view! {
        <Show when=move || created_id.get().is_none() fallback=move || view! {
            <NewToken token=created name=name.get_untracked() parent=parent.get_value() unkept=unkept on_close=on_close />
        }>
            <form on:submit=submit>
                <p>"The new token can do at most what the key in use can do, minus what you remove here. Foundry records it as a restricted token made from this key."</p>
                <div class="fk-field">
                    <label for="fk-att-name">"Name"</label>
                    <input id="fk-att-name" type="text" maxlength="100" placeholder="e.g. reporting dashboard"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <fieldset>
                    <legend>"What it may do"</legend>
                    {[(Preset::ReadOnly, "Read-only (list and read)"), (Preset::NonDestructive, "Non-destructive (everything but delete)"), (Preset::Custom, "Only chosen resources and actions")]
                        .into_iter().map(|(p, text)| view! {
                            <label class="fk-choice">
                                <input type="radio" name="fk-att-preset" prop:checked=move || preset.get() == p on:change=move |_| preset.set(p) />
                                <span>{text}</span>
                            </label>
                        }).collect_view()}
                </fieldset>
                <Show when=move || preset.get() == Preset::Custom>
                    <fieldset>
                        <legend>"Resources"</legend>
                        <div class="fk-checks">
                            {RESOURCES.into_iter().map(|r| view! {
                                <label class="fk-choice"><input type="checkbox" on:change=move |ev| toggle(resources, r, event_target_checked(&ev)) /><span>{r}</span></label>
                            }).collect_view()}
                        </div>
                    </fieldset>
                    <fieldset>
                        <legend>"Actions"</legend>
                        <div class="fk-checks">
                            {ACTIONS.into_iter().map(|a| view! {
                                <label class="fk-choice"><input type="checkbox" on:change=move |ev| toggle(actions, a, event_target_checked(&ev)) /><span>{a}</span></label>
                            }).collect_view()}
                        </div>
                    </fieldset>
                </Show>
                {(organizations.len() > 1).then(|| view! {
                    <fieldset>
                        <legend>"Organizations (none chosen: all the key can access)"</legend>
                        {organizations.iter().map(|org| {
                            let id = org.id.clone();
                            view! {
                                <label class="fk-choice">
                                    <input type="checkbox" on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let id = id.clone();
                                        orgs.update(|l| { l.retain(|x| *x != id); if on { l.push(id) } });
                                    } />
                                    <span>{org.name.clone()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                })}
                <fieldset aria-describedby="fk-att-expiry-hint">
                    <legend>"Expires"</legend>
                    <div class="fk-checks">
                        {expiry_options(parent_expiry).into_iter().map(|(choice, text, available)| view! {
                            <label class="fk-choice">
                                <input type="radio" name="fk-att-expiry-choice" prop:disabled=!available
                                    prop:checked=move || expiry_choice.get() == choice on:change=move |_| expiry_choice.set(choice) />
                                <span>{text}</span>
                            </label>
                        }).collect_view()}
                    </div>
                    <Show when=move || expiry_choice.get() == ExpiryChoice::Custom>
                        <div class="fk-field">
                            <label for="fk-att-expiry">"Expiry date and time (your local time)"</label>
                            <input id="fk-att-expiry" type="datetime-local"
                                prop:value=move || expiry.get() on:input=move |ev| expiry.set(event_target_value(&ev)) />
                        </div>
                    </Show>
                    <span id="fk-att-expiry-hint" class="fk-hint">
                        {match parent_expiry {
                            Some(at) => format!("The key in use expires {}; the new token cannot outlast it. Shorter is safer.", format::absolute(at)),
                            None => "The key in use has no recorded expiry. Shorter is safer.".to_owned(),
                        }}
                    </span>
                </fieldset>
                <section class="fk-summary" aria-labelledby="fk-att-summary-title">
                    <h3 id="fk-att-summary-title">"What it will be able to do"</h3>
                    <p aria-live="polite">{summary}</p>
                </section>
                {move || problem.get().map(|p| view! { <Alert title="Check the form" tone=Tone::Error><p>{p}</p></Alert> })}
                {move || api_error.get().map(|e| view! { <ApiErrorPanel error=e /> })}
                <div class="fk-actions">
                    <button type="submit" class="fk-primary" prop:disabled=move || busy.get()>
                        {move || if busy.get() { "Creating…" } else { "Create token" }}
                    </button>
                    <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </form>
        </Show>
    }
    .into_any()
}

/// Whether closing the dialog now would lose a new token that nobody has kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unkept {
    /// No new token on show, or it was copied or added to the keyring.
    No,
    /// Shown, and neither copied nor added.
    Yes,
    /// As `Yes`, and the person tried to close the dialog: it says what that would lose.
    Warned,
}

impl Unkept {
    /// The one rule for Escape, Done and a reload: closing may go ahead only once the new token
    /// is kept. When it may not, the dialog says what closing would lose, so a person who
    /// stays (or cancels the browser's own question) sees why.
    fn may_close(unkept: RwSignal<Unkept>) -> bool {
        if unkept.get_untracked() == Unkept::No {
            return true;
        }
        unkept.set(Unkept::Warned);
        false
    }
}

/// The new token, shown once.
#[component]
fn NewToken(
    token: StoredValue<Option<SecretString>, LocalStorage>,
    name: String,
    parent: Option<EntryMeta>,
    unkept: RwSignal<Unkept>,
    on_close: Callback<()>,
) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    unkept.set(Unkept::Yes);
    // A reload or a closed tab would lose it too: the browser asks first.
    let leaving = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if !Unkept::may_close(unkept) {
            ev.prevent_default();
        }
    });
    on_cleanup(move || {
        leaving.remove();
        unkept.try_set(Unkept::No);
    });
    let copied = RwSignal::new(false);
    let saved_note = RwSignal::new(None::<Result<String, (String, String)>>);
    let label = RwSignal::new(name);
    let copy = move |_| {
        // The copy outlives the dialog: Done after Copy leaves it for the person to paste
        // elsewhere, and it is cleared 30 seconds after the copy, when the page is hidden, or
        // when the keyring locks (`UnlockedView`), whichever comes first.
        token.with_value(|t| {
            if let Some(t) = t {
                clipboard::write_secret(
                    t.expose_secret(),
                    std::time::Duration::from_secs(CLIPBOARD_CLEAR_SECONDS),
                );
            }
        });
        copied.set(true);
        unkept.set(Unkept::No);
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(secret) = token.get_value() else {
            return;
        };
        let Some(parent) = parent.as_ref() else {
            return;
        };
        let entry = NewEntrySpec {
            label: label.get_untracked(),
            kind: parent.kind,
            api_base: bound_base(parent),
            keep: state.saved.get_untracked(),
        };
        // The new token goes to the key agent like a pasted key; the dialog keeps showing it
        // until closed (it is shown once).
        leptos::task::spawn_local(async move {
            let added = state.add(secret, entry, false).await;
            saved_note.try_set(Some(match added {
                Ok(_) => {
                    unkept.try_set(Unkept::No);
                    Ok(format!(
                        "Added \"{}\" to the keyring.",
                        label.get_untracked()
                    ))
                }
                Err(error) => {
                    let (title, advice) = vault_message(&error);
                    Err((title.to_owned(), advice))
                }
            }));
        });
    };
    let close_anyway = move |_| {
        token.set_value(None);
        on_close.run(());
    };
    // Written straight into the field from the secret, with no Rust `String` in between that
    // the view would keep unwiped; the field's JS string is the one copy out of reach.
    let field = NodeRef::<leptos::html::Input>::new();
    field.on_load(move |input| {
        token.with_value(|t| {
            input.set_value(t.as_ref().map(|t| t.expose_secret()).unwrap_or_default())
        })
    });
    view! {
        <Alert title="Token created" tone=Tone::Success>
            <p>"This is the only time it is shown. Copy it now, or add it to your keyring."</p>
        </Alert>
        <div class="fk-field">
            <label for="fk-new-token">"New token"</label>
            <div class="fk-input-row">
                <input id="fk-new-token" type="text" readonly class="fk-mono" node_ref=field />
                <button type="button" on:click=copy>"Copy"</button>
            </div>
            <span class="fk-hint" role="status">
                {move || if copied.get() {
                    format!("Copied. The clipboard is cleared {CLIPBOARD_CLEAR_SECONDS} seconds after the copy, when you leave this page, or when the keyring locks.")
                } else {
                    String::new()
                }}
            </span>
        </div>
        <form on:submit=add class="fk-field">
            <label for="fk-new-token-label">"Label in your keyring"</label>
            <div class="fk-input-row">
                <input id="fk-new-token-label" type="text" maxlength="100" prop:value=move || label.get()
                    on:input=move |ev| label.set(event_target_value(&ev)) />
                <button type="submit">"Add to keyring"</button>
            </div>
        </form>
        {move || saved_note.get().map(|note| match note {
            Ok(text) => view! { <Alert title=text tone=Tone::Success /> }.into_any(),
            Err((title, advice)) => view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> }.into_any(),
        })}
        {move || (unkept.get() == Unkept::Warned).then(|| view! {
            <Alert title="This token is not kept anywhere yet" tone=Tone::Warning>
                <p>"It cannot be shown again. Copy it or add it to your keyring first, or close without keeping it."</p>
                <button type="button" on:click=close_anyway>"Close without keeping it"</button>
            </Alert>
        })}
        <button type="button" on:click=move |ev| {
            if Unkept::may_close(unkept) {
                close_anyway(ev);
            }
        }>"Done"</button>
    }
    .into_any()
}

/// The expiry choices: the presets (those past the key's own expiry disabled), a date, and the
/// key's own expiry.
fn expiry_options(key_expiry: Option<Timestamp>) -> Vec<(ExpiryChoice, String, bool)> {
    let now = now();
    let mut options: Vec<(ExpiryChoice, String, bool)> = EXPIRY_PRESET_DAYS
        .into_iter()
        .map(|days| {
            let choice = ExpiryChoice::Days(days);
            let available = choice.available(now, key_expiry);
            let text = if available {
                format!("In {days} days")
            } else {
                format!("In {days} days (after the key's own expiry)")
            };
            (choice, text, available)
        })
        .collect();
    options.push((ExpiryChoice::Custom, "On a date I choose".to_owned(), true));
    options.push((
        ExpiryChoice::KeyOwn,
        match key_expiry {
            Some(at) => format!("With the key in use ({})", format::absolute(at)),
            None => "No expiry of its own".to_owned(),
        },
        true,
    ));
    options
}

/// `YYYY-MM-DDTHH:MM` in the browser's time zone → UTC. Empty → no expiry.
fn parse_local_datetime(text: &str) -> Result<Option<Timestamp>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let millis = js_sys::Date::new(&JsValue::from_str(text)).get_time();
    if millis.is_nan() {
        return Err("Enter the expiry as a date and time.".into());
    }
    Ok(Some(Timestamp::from_unix((millis / 1000.0) as i64)))
}
