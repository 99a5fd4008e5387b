//! The agent's side: answers one [`Op`] at a time around [`AgentCore`], deriving keys with
//! WebCrypto and making the requests that carry a key. Runs in the key-agent worker
//! (`src/bin/key-agent.rs`) and nowhere else: where a host page forbids workers, no key is
//! opened at all (`link.rs`), so the page never holds keys in their place.

use super::core::{AgentCore, scrub};
use super::protocol::{Answer, FetchSpec, KeyUse, Op, Reply, TransportErrorWire, join_under};
use super::webcrypto;
use crate::api::browser::BrowserTransport;
use crate::api::cancel::CancelToken;
use crate::api::transport::{HttpRequest, Transport};
use crate::secret::{SecretBytes, SecretKey, SecretString};
use crate::timestamp::Timestamp;
use crate::vault::random::Rng;
use crate::vault::{
    DEFAULT_ITERATIONS, KdfParams, KeyringFile, Namespace, StoredKeyring, VaultError,
};
use std::cell::RefCell;
use std::collections::HashMap;
use zeroize::Zeroize;

/// One agent: its state and the requests in flight (so `Abort` can stop them).
#[derive(Default)]
pub struct Agent {
    core: RefCell<AgentCore>,
    fetches: RefCell<HashMap<u32, CancelToken>>,
}

fn failed(error: VaultError) -> Answer {
    Reply::Failed { error }.into()
}

/// Secrets arrive as bytes; a passphrase or a key must be UTF-8 text.
fn text(secret: Option<SecretBytes>) -> Result<SecretString, VaultError> {
    let bytes = secret.ok_or(VaultError::EmptyKey)?;
    let text = std::str::from_utf8(bytes.expose_secret()).map_err(|_| VaultError::Malformed)?;
    Ok(SecretString::from(text))
}

async fn derive(passphrase: &SecretString, params: &KdfParams) -> SecretKey<32> {
    webcrypto::derive_key_or_fallback(passphrase, params, true)
        .await
        .0
}

impl Agent {
    /// Answers one message. `secrets` are in the order the [`Op`] documents.
    pub async fn handle(
        &self,
        op: Op,
        secrets: Vec<SecretBytes>,
        payload: Option<SecretBytes>,
    ) -> Answer {
        match self.answer(op, secrets, payload).await {
            Ok(answer) => answer,
            Err(error) => failed(error),
        }
    }

    async fn answer(
        &self,
        op: Op,
        secrets: Vec<SecretBytes>,
        payload: Option<SecretBytes>,
    ) -> Result<Answer, VaultError> {
        let mut secrets = secrets.into_iter();
        let reply = match op {
            Op::Ping => Reply::Pong,
            Op::Configure { connect } => {
                self.core.borrow_mut().configure(connect);
                Reply::Done
            }
            Op::Unlock { namespace, stored } => {
                let passphrase = text(secrets.next())?;
                let stored = StoredKeyring::parse(&stored, &Namespace::new(&namespace)?)?;
                let derived = derive(&passphrase, stored.kdf_params()).await;
                drop(passphrase);
                self.core.borrow_mut().unlock(&stored, derived)?
            }
            Op::UnlockPasskey {
                namespace,
                stored,
                credential_id,
            } => {
                let output = secrets.next().ok_or(VaultError::PasskeyOutput)?;
                let stored = StoredKeyring::parse(&stored, &Namespace::new(&namespace)?)?;
                self.core
                    .borrow_mut()
                    .unlock_passkey(&stored, &credential_id, &output)?
            }
            Op::AddPasskey {
                challenge,
                name,
                current,
            } => {
                let output = secrets.next().ok_or(VaultError::PasskeyOutput)?;
                self.core.borrow_mut().add_passkey(
                    &challenge,
                    &output,
                    &name,
                    Timestamp::browser_now(),
                    current.as_deref(),
                )?
            }
            Op::RemovePasskey {
                credential_id,
                current,
            } => self
                .core
                .borrow_mut()
                .remove_passkey(&credential_id, current.as_deref())?,
            Op::Create { namespace } => {
                let namespace = Namespace::new(&namespace)?;
                let params = KdfParams::generate(DEFAULT_ITERATIONS)?;
                let (derived, saved) = match secrets.next() {
                    Some(pass) => (derive(&text(Some(pass))?, &params).await, true),
                    None => (SecretKey::from_array(Rng::Os.array::<32>()?), false),
                };
                self.core
                    .borrow_mut()
                    .create(namespace, params, derived, saved)?
            }
            Op::Preview => self.core.borrow_mut().preview(text(secrets.next())?),
            Op::StagePreviewed { base } => self.core.borrow_mut().stage_previewed(base)?,
            Op::ForgetPreview => {
                self.core.borrow_mut().forget_preview();
                Reply::Done
            }
            Op::Stage { base } => self.core.borrow_mut().stage(text(secrets.next())?, base),
            Op::Unstage => {
                self.core.borrow_mut().unstage();
                Reply::Done
            }
            Op::AddStaged { entry, current } => self.core.borrow_mut().add_staged(
                entry,
                Timestamp::browser_now(),
                current.as_deref(),
            )?,
            Op::Rename { id, label, current } => {
                self.core
                    .borrow_mut()
                    .rename(id, &label, current.as_deref())?
            }
            Op::Bind { id, base, current } => {
                self.core.borrow_mut().bind(id, base, current.as_deref())?
            }
            Op::Remove { id, current } => self.core.borrow_mut().remove(id, current.as_deref())?,
            Op::ChangePassphrase { current } => self.change_passphrase(secrets, current).await?,
            Op::Committed { revision } => {
                self.core.borrow_mut().committed(revision);
                Reply::Done
            }
            Op::Unwritten { revision } => {
                self.core.borrow_mut().unwritten(revision);
                Reply::Done
            }
            Op::OpenImport { namespace, file } => {
                let passphrase = text(secrets.next())?;
                let file = KeyringFile::parse(file.as_bytes(), &Namespace::new(&namespace)?)?;
                let derived = derive(&passphrase, file.kdf_params()).await;
                drop(passphrase);
                self.core.borrow_mut().open_import(&file, derived)?
            }
            Op::FinishImport => self.core.borrow_mut().finish_import()?,
            Op::Inspect { ids } => Reply::Infos {
                infos: self.core.borrow().inspect(&ids),
            },
            Op::Fetch { request, spec } => return Ok(self.fetch(request, spec, payload).await),
            Op::Abort { request } => {
                if let Some(cancel) = self.fetches.borrow_mut().remove(&request) {
                    cancel.cancel();
                }
                Reply::Done
            }
            Op::Measure { iterations, engine } => {
                let passphrase = text(secrets.next())?;
                let params = KdfParams::generate(iterations)?;
                let wasm_only = engine.as_deref() == Some("wasm");
                let started = js_sys::Date::now();
                let (key, engine) =
                    webcrypto::derive_key_or_fallback(&passphrase, &params, !wasm_only).await;
                drop(key);
                Reply::Measured {
                    engine: engine.as_str().to_owned(),
                    millis: js_sys::Date::now() - started,
                }
            }
        };
        Ok(reply.into())
    }

    async fn change_passphrase(
        &self,
        mut secrets: std::vec::IntoIter<SecretBytes>,
        current: Option<String>,
    ) -> Result<Reply, VaultError> {
        let (saved, current_params) = {
            let core = self.core.borrow();
            (core.is_saved(), core.kdf_params()?)
        };
        let current_key = if saved {
            let passphrase = text(secrets.next())?;
            derive(&passphrase, &current_params).await
        } else {
            self.core
                .borrow()
                .session_wrap()
                .ok_or(VaultError::Locked)?
        };
        let new_passphrase = text(secrets.next())?;
        // Never fewer rounds than the keyring already has (a calibration may have raised them).
        let params = KdfParams::generate(current_params.iterations().max(DEFAULT_ITERATIONS))?;
        let derived = derive(&new_passphrase, &params).await;
        drop(new_passphrase);
        self.core
            .borrow_mut()
            .change_passphrase(&current_key, params, derived, current.as_deref())
    }

    /// One request with a key, to the base that key is bound to, with the client's rules (no
    /// cookies, no cache, no redirect followed: `BrowserTransport`). The key is scrubbed out
    /// of the answer's body.
    async fn fetch(&self, request: u32, spec: FetchSpec, payload: Option<SecretBytes>) -> Answer {
        let refused = || Reply::TransportFailed {
            error: TransportErrorWire::Refused,
        };
        let default_base = crate::ui::options::build_default_base();
        let Some((base, key)) = self.core.borrow().credential(spec.key, &default_base) else {
            // Locked meanwhile (a new agent holds nothing), or an entry since removed.
            return Reply::TransportFailed {
                error: TransportErrorWire::NoKey,
            }
            .into();
        };
        if !self.core.borrow().may_reach(&base) {
            return refused().into();
        }
        let Some(url) = join_under(&base, &spec.path) else {
            return refused().into();
        };
        let Some(http) = build_request(&spec, url, &key, payload) else {
            return refused().into();
        };
        let cancel = CancelToken::new();
        self.fetches.borrow_mut().insert(request, cancel.clone());
        let transport = BrowserTransport::new(&base);
        let result = transport.send(http, &cancel).await;
        self.fetches.borrow_mut().remove(&request);
        match result {
            Ok(response) => {
                let mut body = response.body.clone();
                scrub(&mut body, key.expose_secret().as_bytes());
                Answer {
                    reply: Reply::Response {
                        status: response.status,
                        request_id: response.request_id.clone(),
                        retry_after: response.retry_after.clone(),
                    },
                    payload: Some(SecretBytes::new(body)),
                }
            }
            Err(error) => Reply::TransportFailed {
                error: (&error).into(),
            }
            .into(),
        }
    }
}

/// The request as the page described it, with the key added where `key_use` says.
fn build_request(
    spec: &FetchSpec,
    url: String,
    key: &SecretString,
    payload: Option<SecretBytes>,
) -> Option<HttpRequest> {
    if spec
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
    {
        return None;
    }
    let headers = spec
        .headers
        .iter()
        .filter_map(|(name, value)| {
            let name: &'static str = match name.to_ascii_lowercase().as_str() {
                "accept" => "accept",
                "content-type" => "content-type",
                _ => return None,
            };
            Some((name, value.clone()))
        })
        .collect();
    let body = match spec.key_use {
        KeyUse::HeaderAndBodyToken => Some(with_body_token(payload?, key)?),
        KeyUse::Header | KeyUse::None => payload,
    };
    let authorization = (spec.key_use != KeyUse::None).then(|| {
        // Sized up front: no reallocation, so no stray copy of the key.
        let mut value = String::with_capacity(7 + key.len());
        value.push_str("Bearer ");
        value.push_str(key.expose_secret());
        SecretString::new(value)
    });
    Some(HttpRequest {
        method: spec.method,
        url,
        headers,
        authorization,
        body,
        timeout: spec.timeout(),
        key_use: spec.key_use,
    })
}

/// The page's JSON body with `token` set to the key (the attenuate call names its parent this
/// way). The page never had the key, so it sent the body without it.
fn with_body_token(payload: SecretBytes, key: &SecretString) -> Option<SecretBytes> {
    let mut value: serde_json::Value = serde_json::from_slice(payload.expose_secret()).ok()?;
    let object = value.as_object_mut()?;
    object.insert(
        "token".to_owned(),
        serde_json::Value::String(key.expose_secret().to_owned()),
    );
    let mut body = Vec::with_capacity(payload.expose_secret().len() + key.len() + 64);
    let written = serde_json::to_writer(&mut body, &value);
    // The key's copy in the JSON value is wiped before it goes.
    if let Some(serde_json::Value::String(token)) = value.get_mut("token") {
        token.zeroize();
    }
    written.ok()?;
    Some(SecretBytes::new(body))
}
