//! The double's Biscuit vocabulary: minting root tokens, attenuation blocks, and the
//! Authorizer every request goes through.
//!
//! Foundry publishes only the root's `token_id` fact; everything else below is the double's own
//! choice (documented in `tests/double/README.md`). Authority block of a root token:
//!
//! ```text
//! token_id("<uuid>");                         // published
//! user("<user uuid>");
//! token_type("user" | "admin" | "admin_impersonating" | "multi_org");
//! organization("<org uuid>", "<name>", "<role>");   // one per organization the token can access
//! active_organization("<org uuid>");
//! right("<resource>", "<action>");            // one per granted permission
//! admin_scope("global");                      // global admins only: see every user's tokens
//! check if time($time), $time <= <expiry>;    // only when the token expires
//! ```
//!
//! The Authorizer of a request adds `time(<now>)`, `operation("<resource>", "<action>")`,
//! `acting_organization("<org uuid>")` and the single policy
//! `allow if right($r, $a), operation($r, $a);`. Attenuation blocks only add checks over those
//! facts (see [`attenuation_block`]); a block with a payment policy also states it as a fact
//! `payment_policy("<compact JSON>")`, which nothing reads for rights. User text never becomes
//! Datalog source: every value goes in as a typed term (facts built term by term, or
//! `code_with_params`).

use biscuit_auth::builder::{Term, fact, string};
use biscuit_auth::{
    AuthorizerBuilder, AuthorizerLimits, Biscuit, BiscuitBuilder, BlockBuilder, KeyPair, PublicKey,
};
use foundry_keyring::api::models::AttenuationSpec;
use foundry_keyring::timestamp::Timestamp;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// Every token string starts with this (published).
pub const PREFIX: &str = "abs0_";
/// The double's slug. Foundry publishes no length or alphabet for it: clients must not rely on it.
pub const SLUG: &str = "fdbl0001";
/// The longest slug [`decode`] tries when a token carries a slug other than [`SLUG`].
const MAX_SLUG_LEN: usize = 32;

pub type BiscuitError = biscuit_auth::error::Token;

/// One organization a token can access, as its authority block states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgClaim {
    pub id: String,
    pub name: String,
    pub role: String,
}

/// What the authority block of a root token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootClaims {
    pub token_id: String,
    pub user_id: String,
    pub token_type: String,
    pub organizations: Vec<OrgClaim>,
    pub active_organization: String,
    /// `(resource, action)` pairs, in a stable order.
    pub rights: Vec<(String, String)>,
    pub admin_global: bool,
    pub expires_at: Option<Timestamp>,
}

/// Why a presented token string is not a usable token of this double.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("the token does not start with {PREFIX}")]
    Prefix,
    #[error("the token is not a Biscuit signed by this server's root key")]
    Signature,
    #[error("the token's authority block lacks {0}")]
    MissingClaim(&'static str),
    #[error("reading the token's authority block: {0}")]
    Datalog(#[from] BiscuitError),
}

/// The Authorizer's limits. The default (1 ms) is tight enough to fail on a busy 2-core machine
/// (toolchain notes, section 9), and an admin's authority block holds ~170 facts. The time
/// limit is wall-clock: under load (a CI machine running Chromium beside the build) 250 ms
/// was seen to run out, so it only guards against runaway Datalog.
pub fn limits() -> AuthorizerLimits {
    AuthorizerLimits {
        max_facts: 10_000,
        max_iterations: 1_000,
        max_time: Duration::from_secs(2),
    }
}

/// A Datalog date term. Dates before the epoch cannot occur here (the clock and every stored
/// time are later), so they clamp to 0 rather than fail.
pub fn date(at: Timestamp) -> Term {
    Term::Date(u64::try_from(at.unix()).unwrap_or(0))
}

fn string_set<'a>(values: impl IntoIterator<Item = &'a String>) -> Term {
    Term::Set(
        values
            .into_iter()
            .map(|v| string(v))
            .collect::<BTreeSet<_>>(),
    )
}

/// Mints a root token: `abs0_{SLUG}{urlsafe base64 biscuit}`.
pub fn mint(root: &KeyPair, claims: &RootClaims) -> Result<(Biscuit, String), BiscuitError> {
    let mut builder = BiscuitBuilder::new()
        .fact(fact("token_id", &[string(&claims.token_id)]))?
        .fact(fact("user", &[string(&claims.user_id)]))?
        .fact(fact("token_type", &[string(&claims.token_type)]))?
        .fact(fact(
            "active_organization",
            &[string(&claims.active_organization)],
        ))?;
    for org in &claims.organizations {
        builder = builder.fact(fact(
            "organization",
            &[string(&org.id), string(&org.name), string(&org.role)],
        ))?;
    }
    for (resource, action) in &claims.rights {
        builder = builder.fact(fact("right", &[string(resource), string(action)]))?;
    }
    if claims.admin_global {
        builder = builder.fact(fact("admin_scope", &[string("global")]))?;
    }
    if let Some(expires_at) = claims.expires_at {
        let params = HashMap::from([("expiry".to_owned(), date(expires_at))]);
        builder = builder.code_with_params(
            "check if time($time), $time <= {expiry};",
            params,
            HashMap::new(),
        )?;
    }
    let token = builder.build(root)?;
    let text = encode(&token)?;
    Ok((token, text))
}

pub fn encode(token: &Biscuit) -> Result<String, BiscuitError> {
    Ok(format!("{PREFIX}{SLUG}{}", token.to_base64()?))
}

/// Verifies a token string against the root public key. The slug has no published length, so
/// after the double's own slug every shorter and longer one is tried: only the right split
/// yields a Biscuit whose signature verifies.
pub fn decode(text: &str, root: &PublicKey) -> Result<Biscuit, DecodeError> {
    let rest = text
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(DecodeError::Prefix)?;
    if let Some(b64) = rest.strip_prefix(SLUG)
        && let Ok(token) = Biscuit::from_base64(b64, root)
    {
        return Ok(token);
    }
    (0..=MAX_SLUG_LEN.min(rest.len()))
        .filter_map(|n| rest.get(n..))
        .find_map(|b64| Biscuit::from_base64(b64, root).ok())
        .ok_or(DecodeError::Signature)
}

/// Reads the authority block's claims (only the authority block: facts in attenuation blocks
/// are not trusted by the Authorizer's default scope, so a holder cannot add rights).
pub fn claims(token: &Biscuit) -> Result<RootClaims, DecodeError> {
    let mut authorizer = AuthorizerBuilder::new().set_limits(limits()).build(token)?;
    let one = |rows: Vec<(String,)>, name| {
        rows.into_iter()
            .next()
            .map(|(v,)| v)
            .ok_or(DecodeError::MissingClaim(name))
    };
    let token_id = one(authorizer.query("data($id) <- token_id($id)")?, "token_id")?;
    let user_id = one(authorizer.query("data($u) <- user($u)")?, "user")?;
    let token_type = one(
        authorizer.query("data($t) <- token_type($t)")?,
        "token_type",
    )?;
    let active_organization = one(
        authorizer.query("data($o) <- active_organization($o)")?,
        "active_organization",
    )?;
    let orgs: Vec<(String, String, String)> =
        authorizer.query("data($i, $n, $r) <- organization($i, $n, $r)")?;
    let rights: Vec<(String, String)> = authorizer.query("data($r, $a) <- right($r, $a)")?;
    let scopes: Vec<(String,)> = authorizer.query("data($s) <- admin_scope($s)")?;
    let mut organizations: Vec<OrgClaim> = orgs
        .into_iter()
        .map(|(id, name, role)| OrgClaim { id, name, role })
        .collect();
    // The active organization first: it is the one a request acts as when the token allows it.
    organizations.sort_by_key(|o| (o.id != active_organization, o.name.clone()));
    Ok(RootClaims {
        token_id,
        user_id,
        token_type,
        organizations,
        active_organization,
        rights: sort_rights(rights),
        admin_global: scopes.iter().any(|(s,)| s == "global"),
        // The expiry lives in a check, not a fact: the store records it.
        expires_at: None,
    })
}

/// Orders rights as the published lists do (resource, then action), unknown names last.
pub fn sort_rights(mut rights: Vec<(String, String)>) -> Vec<(String, String)> {
    use foundry_keyring::api::models::{ACTIONS, RESOURCES};
    let rank =
        |list: &[&str], name: &str| list.iter().position(|x| *x == name).unwrap_or(list.len());
    rights.sort_by(|a, b| {
        (rank(&RESOURCES, &a.0), &a.0, rank(&ACTIONS, &a.1), &a.1).cmp(&(
            rank(&RESOURCES, &b.0),
            &b.0,
            rank(&ACTIONS, &b.1),
            &b.1,
        ))
    });
    rights.dedup();
    rights
}

/// The block an attenuation appends: only checks, so it can only remove rights. A spec with a
/// `payment_policy` (September) also puts the policy, as compact JSON text, in a fact
/// `payment_policy("<json>")`, so whoever reads the token can see it is there. The fact grants
/// nothing: facts of appended blocks are outside the Authorizer's default scope, and no policy
/// or check of the double reads it.
pub fn attenuation_block(spec: &AttenuationSpec) -> Result<BlockBuilder, BiscuitError> {
    let mut block = BlockBuilder::new();
    if let Some(policy) = &spec.payment_policy {
        block = block.fact(fact("payment_policy", &[string(&policy.to_string())]))?;
    }
    let with = |block: BlockBuilder, source: &str, name: &str, value: Term| {
        block.code_with_params(
            source,
            HashMap::from([(name.to_owned(), value)]),
            HashMap::new(),
        )
    };
    if spec.read_only {
        let read = ["list".to_owned(), "read".to_owned()];
        block = with(
            block,
            "check if operation($r, $a), {read}.contains($a);",
            "read",
            string_set(&read),
        )?;
    }
    if spec.non_destructive {
        block = block.code("check if operation($r, $a), $a != \"delete\";")?;
    }
    if let Some(actions) = &spec.allowed_actions {
        block = with(
            block,
            "check if operation($r, $a), {actions}.contains($a);",
            "actions",
            string_set(actions),
        )?;
    }
    if let Some(resources) = &spec.allowed_resources {
        block = with(
            block,
            "check if operation($r, $a), {resources}.contains($r);",
            "resources",
            string_set(resources),
        )?;
    }
    if let Some(orgs) = &spec.allowed_org_ids {
        block = with(
            block,
            "check if acting_organization($o), {orgs}.contains($o);",
            "orgs",
            string_set(orgs),
        )?;
    }
    if let Some(expires_at) = spec.expires_at {
        block = with(
            block,
            "check if time($time), $time <= {expiry};",
            "expiry",
            date(expires_at),
        )?;
    }
    Ok(block)
}

/// The `payment_policy` facts of every block, as the JSON values they hold (text that is not
/// JSON is kept as a JSON string). Empty when no block has one.
pub fn payment_policies(token: &Biscuit) -> Result<Vec<serde_json::Value>, BiscuitError> {
    let mut authorizer = AuthorizerBuilder::new().set_limits(limits()).build(token)?;
    let rows: Vec<(String,)> = authorizer.query_all("data($p) <- payment_policy($p)")?;
    Ok(rows
        .into_iter()
        .map(|(text,)| serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
        .collect())
}

/// Hex of the token's last revocation identifier: names one exact token (a root, or a root plus
/// its attenuation blocks), which is how the store finds the record of an attenuated token.
pub fn last_revocation_id(token: &Biscuit) -> String {
    token
        .revocation_identifiers()
        .last()
        .map(hex::encode)
        .unwrap_or_default()
}

/// The request-independent part of an Authorizer: limits, `time(now)` and the policy. Parsed
/// once and cloned per question, since whoami asks up to one question per right.
fn base(now: Timestamp) -> Result<AuthorizerBuilder, BiscuitError> {
    AuthorizerBuilder::new()
        .set_limits(limits())
        .fact(fact("time", &[date(now)]))?
        .code("allow if right($r, $a), operation($r, $a);")
}

fn allows_with(
    base: &AuthorizerBuilder,
    token: &Biscuit,
    resource: &str,
    action: &str,
    acting_org: &str,
) -> Result<bool, BiscuitError> {
    let mut authorizer = base
        .clone()
        .fact(fact("operation", &[string(resource), string(action)]))?
        .fact(fact("acting_organization", &[string(acting_org)]))?
        .build(token)?;
    match authorizer.authorize() {
        Ok(_) => Ok(true),
        Err(BiscuitError::FailedLogic(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Does the token allow `resource:action` now, acting as `acting_org`? Every block's checks run,
/// and the policy needs a matching `right` from the authority block.
pub fn allows(
    token: &Biscuit,
    now: Timestamp,
    resource: &str,
    action: &str,
    acting_org: &str,
) -> Result<bool, BiscuitError> {
    allows_with(&base(now)?, token, resource, action, acting_org)
}

/// Has the token expired? The checks that fail at `now` but hold at the epoch are exactly the
/// time checks (`time` is the only input that differs), wherever a block put them.
pub fn expired(token: &Biscuit, now: Timestamp) -> Result<bool, BiscuitError> {
    let failed_at = |at: Timestamp| -> Result<Vec<biscuit_auth::error::FailedCheck>, BiscuitError> {
        let mut authorizer = AuthorizerBuilder::new()
            .set_limits(limits())
            .fact(fact("time", &[date(at)]))?
            .code("allow if true;")?
            .build(token)?;
        match authorizer.authorize() {
            Ok(_) => Ok(Vec::new()),
            Err(BiscuitError::FailedLogic(
                biscuit_auth::error::Logic::Unauthorized { checks, .. }
                | biscuit_auth::error::Logic::NoMatchingPolicy { checks },
            )) => Ok(checks),
            Err(other) => Err(other),
        }
    };
    let at_epoch = failed_at(Timestamp::from_unix(0))?;
    Ok(failed_at(now)?
        .iter()
        .any(|check| !at_epoch.contains(check)))
}

/// What a token can do now: the organizations it can act as and, for the one it acts as, the
/// rights every block lets through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Organizations of the authority block the token can act as (active first).
    pub organizations: Vec<OrgClaim>,
    pub acting: Option<String>,
    pub permissions: Vec<(String, String)>,
}

/// Computes [`Access`] by authorizing each authority right against all blocks' checks: for an
/// attenuated token that is the intersection of the root's rights and every block's limits.
pub fn access(
    token: &Biscuit,
    claims: &RootClaims,
    now: Timestamp,
) -> Result<Access, BiscuitError> {
    let base = base(now)?;
    let mut organizations = Vec::new();
    for org in &claims.organizations {
        let mut any = false;
        for (resource, action) in &claims.rights {
            if allows_with(&base, token, resource, action, &org.id)? {
                any = true;
                break;
            }
        }
        if any {
            organizations.push(org.clone());
        }
    }
    let acting = organizations.first().map(|o| o.id.clone());
    let mut permissions = Vec::new();
    if let Some(org) = &acting {
        for (resource, action) in &claims.rights {
            if allows_with(&base, token, resource, action, org)? {
                permissions.push((resource.clone(), action.clone()));
            }
        }
    }
    Ok(Access {
        organizations,
        acting,
        permissions,
    })
}

/// Finds an organization the token may act as for `resource:action`, if any.
pub fn acting_org_for(
    token: &Biscuit,
    claims: &RootClaims,
    now: Timestamp,
    resource: &str,
    action: &str,
) -> Result<Option<String>, BiscuitError> {
    let base = base(now)?;
    for org in &claims.organizations {
        if allows_with(&base, token, resource, action, &org.id)? {
            return Ok(Some(org.id.clone()));
        }
    }
    Ok(None)
}
