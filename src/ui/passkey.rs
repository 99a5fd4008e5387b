//! Passkeys in the page: asking the browser (WebAuthn with the `prf` extension), the button on
//! the unlock form and the list in "Manage keyring".
//!
//! The page asks the authenticator and hands its PRF output straight to the key agent, which
//! opens or seals the keyring with it (`vault::passkey`); the copy here is wiped. WebAuthn
//! binds a passkey to the page's origin (its relying party): an embedded keyring's passkeys
//! belong to the host page's domain.

use crate::secret::SecretBytes;
use crate::ui::common::{Alert, Tone, When};
use crate::ui::confirm::ConfirmDialog;
use crate::ui::messages::vault_message;
use crate::ui::state::KeyringState;
use crate::vault::{CredentialId, PRF_SALT_LEN, PasskeyChallenge, PasskeyMeta, VaultError};
use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long the browser's passkey prompt stays open.
const PROMPT_TIMEOUT_MS: u32 = 120_000;

/// Why asking a passkey did not give a PRF output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasskeyError {
    /// No WebAuthn in this page: an old browser, or a page that is not a secure context.
    Unavailable,
    /// The browser says it cannot use the PRF extension.
    NoPrf,
    /// A passkey was made, but its authenticator gave no PRF: the keyring did not take it.
    CreatedWithoutPrf,
    /// The person closed the prompt, or it timed out, or no listed passkey was present.
    Cancelled,
    /// WebAuthn refuses this page's address as relying party (an IP address, plain http).
    BadOrigin,
    /// This authenticator already holds one of this keyring's passkeys.
    AlreadyRegistered,
    /// A credential answered that this keyring does not list.
    NotListed,
    /// Anything else the browser said (a `DOMException` name).
    Other(String),
    /// The keyring refused what the passkey gave.
    Vault(VaultError),
}

impl PasskeyError {
    /// A title and what to do next, for the page.
    pub fn message(&self) -> (String, String) {
        let (title, advice): (&str, String) = match self {
            Self::Unavailable => (
                "Passkeys are not available here",
                "This browser, or this page, cannot use passkeys (they need a current browser and a secure page). Your passphrase works as always.".into(),
            ),
            Self::NoPrf => (
                "This browser cannot unlock a keyring with a passkey",
                "Unlocking needs the passkey \"PRF\" extension, which this browser does not offer. Nothing was created. Your passphrase works as always; a current Chrome, Edge, Safari or Firefox offers it.".into(),
            ),
            Self::CreatedWithoutPrf => (
                "This passkey cannot unlock a keyring",
                "Its authenticator does not support the \"PRF\" extension, so the keyring did not take it and nothing changed. The browser may have stored the passkey anyway: you can delete it in your browser's or device's passkey settings. Try another authenticator, or keep using your passphrase.".into(),
            ),
            Self::Cancelled => (
                "No passkey was used",
                "The prompt was closed or timed out, or none of this keyring's passkeys is on this device. Nothing changed. Try again, or use your passphrase.".into(),
            ),
            Self::BadOrigin => (
                "Passkeys do not work at this address",
                "Browsers allow passkeys only on pages served from a domain name over https (or from localhost), not from an IP address. Your passphrase works as always.".into(),
            ),
            Self::AlreadyRegistered => (
                "This authenticator already unlocks this keyring",
                "Nothing was added. To add another passkey, use another authenticator.".into(),
            ),
            Self::NotListed => (
                "This passkey does not unlock this keyring",
                "It is not one of this keyring's passkeys. Nothing changed. Use another passkey, or your passphrase.".into(),
            ),
            Self::Other(name) => (
                "The passkey could not be used",
                format!("The browser said: {name}. Nothing changed. Try again, or use your passphrase."),
            ),
            Self::Vault(error) => {
                let (title, advice) = vault_message(error);
                return (title.to_owned(), advice);
            }
        };
        (title.to_owned(), advice)
    }
}

impl From<VaultError> for PasskeyError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::PasskeyNotForKeyring => Self::NotListed,
            other => Self::Vault(other),
        }
    }
}

fn random<const N: usize>() -> Result<[u8; N], PasskeyError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|_| PasskeyError::Vault(VaultError::Random))?;
    Ok(out)
}

fn bytes(data: &[u8]) -> Uint8Array {
    Uint8Array::from(data)
}

fn set(target: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(target, &key.into(), &value.into());
}

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let out = Object::new();
    for (key, value) in pairs {
        set(&out, key, value.clone());
    }
    out
}

/// `navigator.credentials`, where WebAuthn can run at all.
fn credentials() -> Result<JsValue, PasskeyError> {
    let window = web_sys::window().ok_or(PasskeyError::Unavailable)?;
    let present = Reflect::get(&window, &"PublicKeyCredential".into())
        .map(|v| !v.is_undefined())
        .unwrap_or(false);
    if !window.is_secure_context() || !present {
        return Err(PasskeyError::Unavailable);
    }
    Reflect::get(&window.navigator(), &"credentials".into())
        .ok()
        .filter(|c| !c.is_undefined())
        .ok_or(PasskeyError::Unavailable)
}

/// Before anything is created: can this browser use passkeys with PRF at all? Browsers that
/// answer `getClientCapabilities` say so; the others are asked and answer on creation.
pub async fn prf_support() -> Result<(), PasskeyError> {
    credentials()?;
    let window = web_sys::window().ok_or(PasskeyError::Unavailable)?;
    // WebAuthn takes a domain as relying party, never an IP address: say so before asking.
    let host = window.location().hostname().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Err(PasskeyError::BadOrigin);
    }
    let class = Reflect::get(&window, &"PublicKeyCredential".into())
        .map_err(|_| PasskeyError::Unavailable)?;
    let Some(ask) = Reflect::get(&class, &"getClientCapabilities".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return Ok(());
    };
    let Some(promise) = ask
        .call0(&class)
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok())
    else {
        return Ok(());
    };
    let Ok(capabilities) = JsFuture::from(promise).await else {
        return Ok(());
    };
    match Reflect::get(&capabilities, &"extension:prf".into()).map(|v| v.as_bool()) {
        Ok(Some(false)) => Err(PasskeyError::NoPrf),
        _ => Ok(()),
    }
}

/// What a rejected WebAuthn promise means.
fn browser_error(error: JsValue) -> PasskeyError {
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "AbortError" => PasskeyError::Cancelled,
        "SecurityError" => PasskeyError::BadOrigin,
        "InvalidStateError" => PasskeyError::AlreadyRegistered,
        "NotSupportedError" => PasskeyError::NoPrf,
        _ => PasskeyError::Other(if name.is_empty() {
            "an unknown error".into()
        } else {
            name
        }),
    }
}

async fn call(method: &str, options: &Object) -> Result<JsValue, PasskeyError> {
    let container = credentials()?;
    let f = Reflect::get(&container, &method.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or(PasskeyError::Unavailable)?;
    let promise = f
        .call1(&container, options)
        .map_err(browser_error)?
        .dyn_into::<Promise>()
        .map_err(|_| PasskeyError::Unavailable)?;
    JsFuture::from(promise).await.map_err(browser_error)
}

/// The credential's `getClientExtensionResults().prf`.
fn prf_results(credential: &JsValue) -> Option<JsValue> {
    let f = Reflect::get(credential, &"getClientExtensionResults".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let results = f.call0(credential).ok()?;
    Reflect::get(&results, &"prf".into())
        .ok()
        .filter(|v| !v.is_undefined())
}

/// `prf.results.first`, copied into a wiping buffer and zeroed where the browser put it.
fn take_first(prf: &JsValue) -> Option<SecretBytes> {
    let results = Reflect::get(prf, &"results".into()).ok()?;
    let first = Reflect::get(&results, &"first".into()).ok()?;
    let view = if let Some(buffer) = first.dyn_ref::<ArrayBuffer>() {
        Uint8Array::new(buffer)
    } else {
        first.dyn_into::<Uint8Array>().ok()?
    };
    Some(SecretBytes::take_from_js(&view))
}

fn raw_id(credential: &JsValue) -> Result<CredentialId, PasskeyError> {
    let raw = Reflect::get(credential, &"rawId".into()).map_err(|_| PasskeyError::NotListed)?;
    let buffer = raw
        .dyn_into::<ArrayBuffer>()
        .map_err(|_| PasskeyError::NotListed)?;
    CredentialId::new(Uint8Array::new(&buffer).to_vec()).map_err(|_| PasskeyError::NotListed)
}

/// Creates a passkey for this keyring and gets its PRF output for a new random salt. The
/// keyring's existing passkeys are excluded, so an authenticator is never registered twice.
pub async fn create(
    keyring_name: &str,
    passkey_name: &str,
    existing: &[PasskeyMeta],
) -> Result<(PasskeyChallenge, SecretBytes), PasskeyError> {
    let prf_salt = random::<PRF_SALT_LEN>()?;
    let descriptor = |id: &CredentialId| -> JsValue {
        object(&[
            ("type", "public-key".into()),
            ("id", bytes(id.as_bytes()).into()),
        ])
        .into()
    };
    let exclude: Array = existing
        .iter()
        .map(|p| descriptor(&p.credential_id))
        .collect();
    let algorithms: Array = [-8, -7, -257]
        .iter()
        .map(|alg| {
            JsValue::from(object(&[
                ("type", "public-key".into()),
                ("alg", (*alg).into()),
            ]))
        })
        .collect();
    let public_key = object(&[
        // Nothing verifies an attestation here (there is no server): the challenge only has
        // to be fresh.
        ("challenge", bytes(&random::<32>()?).into()),
        ("rp", object(&[("name", "Foundry Keyring".into())]).into()),
        (
            "user",
            object(&[
                // A new user handle per passkey: a second passkey on the same device must not
                // replace the first.
                ("id", bytes(&random::<16>()?).into()),
                ("name", keyring_name.into()),
                ("displayName", passkey_name.into()),
            ])
            .into(),
        ),
        ("pubKeyCredParams", algorithms.into()),
        (
            "authenticatorSelection",
            object(&[
                ("residentKey", "discouraged".into()),
                // Unlocking a keyring asks for the person (PIN, fingerprint, face), not only
                // the device.
                ("userVerification", "required".into()),
            ])
            .into(),
        ),
        ("excludeCredentials", exclude.into()),
        ("timeout", PROMPT_TIMEOUT_MS.into()),
        (
            "extensions",
            object(&[(
                "prf",
                object(&[("eval", object(&[("first", bytes(&prf_salt).into())]).into())]).into(),
            )])
            .into(),
        ),
    ]);
    let credential = call("create", &object(&[("publicKey", public_key.into())])).await?;
    let prf = prf_results(&credential).ok_or(PasskeyError::CreatedWithoutPrf)?;
    let enabled = Reflect::get(&prf, &"enabled".into())
        .ok()
        .and_then(|v| v.as_bool());
    let challenge = PasskeyChallenge {
        credential_id: raw_id(&credential)?,
        prf_salt,
    };
    if let Some(output) = take_first(&prf) {
        return Ok((challenge, output));
    }
    if enabled != Some(true) {
        return Err(PasskeyError::CreatedWithoutPrf);
    }
    // Some authenticators give the PRF output only when asked to authenticate: ask once more.
    let (id, output) = evaluate(std::slice::from_ref(&challenge)).await?;
    if id != challenge.credential_id {
        return Err(PasskeyError::NotListed);
    }
    Ok((challenge, output))
}

/// Asks for the PRF output of one of `challenges` (each credential with its own salt), and
/// answers which credential gave it.
pub async fn evaluate(
    challenges: &[PasskeyChallenge],
) -> Result<(CredentialId, SecretBytes), PasskeyError> {
    let allow: Array = challenges
        .iter()
        .map(|c| {
            JsValue::from(object(&[
                ("type", "public-key".into()),
                ("id", bytes(c.credential_id.as_bytes()).into()),
            ]))
        })
        .collect();
    let by_credential = Object::new();
    for c in challenges {
        set(
            &by_credential,
            &c.credential_id.to_text(),
            object(&[("first", bytes(&c.prf_salt).into())]),
        );
    }
    let public_key = object(&[
        ("challenge", bytes(&random::<32>()?).into()),
        ("allowCredentials", allow.into()),
        ("userVerification", "required".into()),
        ("timeout", PROMPT_TIMEOUT_MS.into()),
        (
            "extensions",
            object(&[(
                "prf",
                object(&[("evalByCredential", by_credential.into())]).into(),
            )])
            .into(),
        ),
    ]);
    let credential = call("get", &object(&[("publicKey", public_key.into())])).await?;
    let id = raw_id(&credential)?;
    let output = prf_results(&credential)
        .and_then(|prf| take_first(&prf))
        .ok_or(PasskeyError::CreatedWithoutPrf)?;
    // The browser only offers listed credentials; a page script could still answer for it.
    if !challenges.iter().any(|c| c.credential_id == id) {
        return Err(PasskeyError::NotListed);
    }
    Ok((id, output))
}

/// "Unlock with a passkey", on the unlock form of a keyring that has one.
#[component]
pub fn PasskeyUnlock(
    challenges: Vec<PasskeyChallenge>,
    busy: RwSignal<bool>,
    /// True while the browser's prompt is open (the form then shows no derivation progress).
    waiting: RwSignal<bool>,
    problem: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let challenges = StoredValue::new(challenges);
    let unlock = move |_| {
        busy.set(true);
        waiting.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = match evaluate(&challenges.get_value()).await {
                Ok((id, output)) => state
                    .unlock_with_passkey(id, output)
                    .await
                    .map_err(PasskeyError::from),
                Err(error) => Err(error),
            };
            let _ = busy.try_set(false);
            let _ = waiting.try_set(false);
            if let Err(error) = result {
                let _ = problem.try_set(Some(error.message()));
            }
        });
    };
    view! {
        <div class="fk-passkey-unlock">
            <button type="button" class="fk-primary" on:click=unlock prop:disabled=move || busy.get()>
                "Unlock with a passkey"
            </button>
            <Show when=move || waiting.get()>
                <p role="status">"Waiting for your passkey…"</p>
            </Show>
            <p class="fk-hint">"Or use your passphrase:"</p>
        </div>
    }
    .into_any()
}

/// The passkeys of an open, stored keyring: list, add, remove.
#[component]
pub fn ManagePasskeys() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, (String, String)>>);
    let unsupported = RwSignal::new(None::<PasskeyError>);
    let to_remove = RwSignal::new(None::<PasskeyMeta>);
    let confirm_remove = RwSignal::new(false);
    // Said before anything is created: a browser that cannot do PRF gets no button to try.
    spawn_local(async move {
        if let Err(error) = prf_support().await {
            let _ = unsupported.try_set(Some(error));
        }
    });
    let report = move |result: Result<String, PasskeyError>| {
        let _ = outcome.try_set(Some(result.map_err(|e| e.message())));
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let label = name.get_untracked().trim().to_owned();
        if label.is_empty() {
            outcome.set(Some(Err((
                "Name the passkey first".into(),
                "A name such as \"YubiKey\" or \"This laptop\" tells your passkeys apart.".into(),
            ))));
            return;
        }
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = async {
                prf_support().await?;
                let keyring = format!("Foundry Keyring ({})", state.namespace_name());
                let existing = state.passkeys.get_untracked();
                let (challenge, output) = create(&keyring, &label, &existing).await?;
                state
                    .add_passkey(challenge, output, label.clone())
                    .await
                    .map_err(PasskeyError::from)?;
                Ok(format!(
                    "Passkey \"{label}\" added. Next time, unlock with it or with your passphrase."
                ))
            }
            .await;
            let _ = busy.try_set(false);
            if result.is_ok() {
                let _ = name.try_set(String::new());
            }
            report(result);
        });
    };
    let remove = Callback::new(move |_| {
        confirm_remove.set(false);
        if let Some(passkey) = to_remove.get_untracked() {
            spawn_local(async move {
                let result = state
                    .remove_passkey(passkey.credential_id.clone())
                    .await
                    .map(|()| format!("Removed the passkey \"{}\".", passkey.name))
                    .map_err(PasskeyError::from);
                report(result);
            });
        }
    });
    view! {
        <section class="fk-keeping" aria-labelledby="fk-passkeys-title">
            <h3 id="fk-passkeys-title">"Passkeys"</h3>
            <p>"Unlock with a touch or a glance instead of typing the passphrase. The passphrase keeps working, and stays the way back if a passkey is lost."</p>
            {move || outcome.get().map(|o| match o {
                Ok(message) => view! { <Alert title=message tone=Tone::Success /> }.into_any(),
                Err((title, advice)) => view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> }.into_any(),
            })}
            <Show when=move || !state.passkeys.get().is_empty()
                fallback=|| view! { <p class="fk-hint">"No passkey unlocks this keyring yet."</p> }>
                <ul class="fk-passkeys" aria-label="Passkeys that unlock this keyring">
                    <For each=move || state.passkeys.get() key=|p| p.credential_id.to_text() let:passkey>
                        {
                            let removable = passkey.clone();
                            view! {
                                <li>
                                    <span class="fk-passkey-name">{passkey.name.clone()}</span>
                                    " "<span class="fk-hint">"added "<When at=passkey.created_at /></span>
                                    <button type="button" aria-label=format!("Remove passkey {}", passkey.name)
                                        on:click=move |_| { to_remove.set(Some(removable.clone())); confirm_remove.set(true); }>
                                        "Remove…"
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
            {move || unsupported.get().map(|error| {
                let (title, advice) = error.message();
                view! { <Alert title=title tone=Tone::Info><p>{advice}</p></Alert> }
            })}
            <Show when=move || unsupported.get().is_none()>
                <form on:submit=add class="fk-passkey-add">
                    <div class="fk-field">
                        <label for="fk-passkey-name">"Name for a new passkey"</label>
                        <input id="fk-passkey-name" type="text" maxlength="100" placeholder="YubiKey, This laptop…"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </div>
                    <button type="submit" prop:disabled=move || busy.get()>"Add a passkey"</button>
                </form>
                <Show when=move || busy.get()>
                    <p role="status">"Follow your browser's passkey prompt…"</p>
                </Show>
            </Show>
        </section>
        <ConfirmDialog open=confirm_remove
            title=Signal::derive(move || format!("Remove the passkey \"{}\"?", to_remove.get().map(|p| p.name).unwrap_or_default()))
            confirm_label="Remove passkey" on_confirm=remove>
            <p>"It will no longer unlock this keyring. Copies of the keyring made before (an export) still open with it: to shut a lost passkey out of those too, change the passphrase afterwards."</p>
        </ConfirmDialog>
    }
    .into_any()
}
