//! Deterministic demo data: the same `--seed` gives the same organizations, users, names and
//! shapes; times are relative to the start so "expires within 7 days" stays true.
//!
//! ~10,000 token records are plain rows; only the keys handed out are minted as real Biscuits.

use crate::biscuit::{self, BiscuitError, OrgClaim, RootClaims};
use crate::store::{Org, Store, TokenRow, User};
use biscuit_auth::KeyPair;
use foundry_keyring::api::models::{ACTIONS, AttenuationSpec, RESOURCES, TokenKind};
use foundry_keyring::timestamp::Timestamp;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
/// All token records across users, including the member's and the admin's.
pub const TOTAL_TOKENS: usize = 10_000;
/// The member user's records (roots and attenuated, demo keys included).
pub const MEMBER_TOKENS: usize = 200;
const OTHER_USERS: usize = 48;

/// A key printed at start and written by `--keys-out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoKey {
    pub label: String,
    pub token: String,
    pub user: String,
    pub description: String,
}

/// `--keys-out` and `GET /__control/keys`.
#[derive(Debug, Clone, Serialize)]
pub struct KeysFile<'a> {
    pub root_public_key: String,
    pub keys: &'a [DemoKey],
}

pub struct Demo {
    pub store: Store,
    pub keys: Vec<DemoKey>,
}

/// Rights of a member of an organization (what the member demo key holds).
pub fn member_rights() -> Vec<(String, String)> {
    let grants: [(&str, &[&str]); 15] = [
        (
            "experiment",
            &["list", "read", "create", "update", "delete"],
        ),
        ("sequence", &["list", "read", "create"]),
        ("target", &["list", "read"]),
        ("result", &["list", "read"]),
        ("project", &["list", "read", "create", "update"]),
        ("organization", &["list", "read"]),
        ("user", &["read"]),
        ("token", &["list", "read", "revoke"]),
        ("webhook", &["list", "read", "create", "delete"]),
        ("update", &["list", "read"]),
        ("quote", &["list", "read"]),
        ("invoice", &["list", "read"]),
        ("feedback", &["create"]),
        ("usage", &["read"]),
        ("info", &["read"]),
    ];
    let rights = grants
        .iter()
        .flat_map(|(resource, actions)| {
            actions
                .iter()
                .map(|a| ((*resource).to_owned(), (*a).to_owned()))
        })
        .collect();
    biscuit::sort_rights(rights)
}

/// Every published resource × action: a global admin's rights.
pub fn admin_rights() -> Vec<(String, String)> {
    RESOURCES
        .iter()
        .flat_map(|r| ACTIONS.iter().map(|a| ((*r).to_owned(), (*a).to_owned())))
        .collect()
}

/// UUID v7 whose time part is `at` and whose random part comes from the seeded generator.
fn uuid_at(rng: &mut StdRng, at: Timestamp) -> String {
    let bytes: [u8; 10] = rng.r#gen();
    let millis = u64::try_from(at.unix()).unwrap_or(0) * 1000 + rng.gen_range(0..1000);
    uuid::Builder::from_unix_timestamp_millis(millis, &bytes)
        .into_uuid()
        .to_string()
}

const NAME_STEMS: [&str; 16] = [
    "ci-pipeline",
    "lab-notebook",
    "plate-reader",
    "analysis",
    "dashboard",
    "partner-sync",
    "nightly-export",
    "billing-report",
    "agent",
    "colab",
    "benchling-bridge",
    "design-loop",
    "screening-bot",
    "kd-fitter",
    "slack-notifier",
    "data-lake",
];

const FIRST_NAMES: [&str; 12] = [
    "Ada",
    "Grace",
    "Rosalind",
    "Barbara",
    "Linus",
    "Frances",
    "Alan",
    "Dorothy",
    "Kary",
    "Tu",
    "Jennifer",
    "Emmanuelle",
];

/// Rows of one user's tokens: roots and attenuated children in varied states.
struct Generator<'a> {
    rng: &'a mut StdRng,
    now: Timestamp,
    rows: Vec<TokenRow>,
}

impl Generator<'_> {
    fn name(&mut self) -> String {
        let stem = NAME_STEMS.choose(self.rng).copied().unwrap_or("token");
        format!("{stem}-{}", self.rng.gen_range(1..1000))
    }

    fn created(&mut self) -> Timestamp {
        self.now.plus_seconds(-self.rng.gen_range(HOUR..400 * DAY))
    }

    /// Expiry: some never, some past, some within the next 7 days, most months ahead.
    fn expiry(&mut self, created_at: Timestamp) -> Option<Timestamp> {
        let roll = self.rng.gen_range(0..100);
        match roll {
            0..10 => None,
            10..28 => Some(
                self.now
                    .plus_seconds(-self.rng.gen_range(HOUR..60 * DAY))
                    .max(created_at.plus_seconds(HOUR)),
            ),
            28..36 => Some(
                self.now
                    .plus_seconds(self.rng.gen_range(HOUR..7 * DAY - HOUR)),
            ),
            _ => Some(
                self.now
                    .plus_seconds(self.rng.gen_range(8 * DAY..365 * DAY)),
            ),
        }
    }

    fn last_used(&mut self, row: &TokenRow) -> Option<Timestamp> {
        if self.rng.gen_range(0..100) < 35 {
            return None;
        }
        let end = [Some(self.now), row.expires_at, row.revoked_at]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(self.now);
        let span = (end.unix() - row.created_at.unix()).max(1);
        Some(row.created_at.plus_seconds(self.rng.gen_range(0..span)))
    }

    fn root(&mut self, user: &str, token_type: &str) {
        let created_at = self.created();
        let mut row = TokenRow {
            id: uuid_at(self.rng, created_at),
            name: self.name(),
            kind: TokenKind::Root,
            token_type: Some(token_type.to_owned()),
            created_by: user.to_owned(),
            created_at,
            expires_at: None,
            revoked_at: None,
            last_used: None,
            parent_token_id: None,
            root_token_id: None,
            attenuation_spec: None,
            revocation_id: None,
        };
        row.expires_at = self.expiry(created_at);
        if self.rng.gen_range(0..100) < 8 {
            let span = (self.now.unix() - created_at.unix()).max(2);
            row.revoked_at = Some(created_at.plus_seconds(self.rng.gen_range(1..span)));
        }
        row.last_used = self.last_used(&row);
        self.rows.push(row);
    }

    fn spec(&mut self, parent_expiry: Option<Timestamp>, created_at: Timestamp) -> AttenuationSpec {
        let mut spec = AttenuationSpec::default();
        match self.rng.gen_range(0..5) {
            0 => spec.read_only = true,
            1 => spec.non_destructive = true,
            2 => spec.allowed_actions = Some(vec!["list".into(), "read".into(), "create".into()]),
            3 => {
                let mut resources: Vec<String> = RESOURCES
                    .choose_multiple(self.rng, 2)
                    .map(|r| (*r).to_owned())
                    .collect();
                resources.sort();
                spec.allowed_resources = Some(resources);
            }
            _ => spec.read_only = true,
        }
        if self.rng.gen_bool(0.4) {
            let own = created_at.plus_seconds(self.rng.gen_range(DAY..120 * DAY));
            spec.expires_at = Some(parent_expiry.map_or(own, |p| own.min(p)));
        }
        spec
    }

    /// A child of one of the user's earlier tokens (root or attenuated), same family.
    fn child(&mut self, user: &str, token_type: &str, first: usize) {
        let candidates = self.rows.len() - first;
        if candidates == 0 {
            return;
        }
        let parent = match self.rows.get(first + self.rng.gen_range(0..candidates)) {
            Some(p) => p.clone(),
            None => return,
        };
        // One can only attenuate a token that is still usable.
        let earliest = parent.created_at.unix() + 60;
        let latest = [Some(self.now), parent.expires_at, parent.revoked_at]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(self.now);
        if latest.unix() <= earliest {
            self.root(user, token_type);
            return;
        }
        let created_at = Timestamp::from_unix(self.rng.gen_range(earliest..latest.unix()));
        let spec = self.spec(parent.expires_at, created_at);
        let expires_at = match (parent.expires_at, spec.expires_at) {
            (Some(p), Some(s)) => Some(p.min(s)),
            (p, s) => p.or(s),
        };
        let mut row = TokenRow {
            id: uuid_at(self.rng, created_at),
            name: format!(
                "{} ({})",
                self.name(),
                if spec.read_only {
                    "read-only"
                } else {
                    "scoped"
                }
            ),
            kind: TokenKind::Attenuated,
            token_type: None,
            created_by: user.to_owned(),
            created_at,
            expires_at,
            // Revoking a family stamps every member with the root's time.
            revoked_at: parent.revoked_at,
            last_used: None,
            parent_token_id: Some(parent.id.clone()),
            root_token_id: Some(parent.family().to_owned()),
            attenuation_spec: Some(spec),
            revocation_id: None,
        };
        row.last_used = self.last_used(&row);
        self.rows.push(row);
    }

    /// `count` tokens for `user`: roughly two roots for every attenuated token.
    fn tokens_for(&mut self, user: &str, token_type: &str, count: usize) {
        let first = self.rows.len();
        for i in 0..count {
            if i == 0 || self.rng.gen_range(0..3) > 0 {
                self.root(user, token_type);
            } else {
                self.child(user, token_type, first);
            }
        }
    }
}

/// The payment policies demo records carry (their meaning is not published; these only look
/// like what a client may meet).
fn demo_policies() -> [serde_json::Value; 3] {
    [
        serde_json::json!({"max_spend_usd": 500, "requires_quote": true}),
        serde_json::json!({"max_spend_usd": 2000}),
        serde_json::json!({"requires_quote": true}),
    ]
}

/// Gives about one attenuated record in six a payment policy, and every descendant of such a
/// record the same one (a policy is carried into children, never changed). Drawn from its own
/// generator, so the rest of the world for a seed is what it was before policies existed.
fn assign_payment_policies(rows: &mut [TokenRow], seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x7061_796d_656e_7473);
    let policies = demo_policies();
    let mut by_id: std::collections::HashMap<String, serde_json::Value> =
        std::collections::HashMap::new();
    // Rows are in the order they were made: a parent always comes before its children.
    for row in rows.iter_mut() {
        let Some(spec) = row.attenuation_spec.as_mut() else {
            continue;
        };
        let inherited = row
            .parent_token_id
            .as_ref()
            .and_then(|parent| by_id.get(parent))
            .cloned();
        let policy = match inherited {
            Some(policy) => Some(policy),
            None if rng.gen_range(0..6) == 0 => policies.choose(&mut rng).cloned(),
            None => None,
        };
        if let Some(policy) = policy {
            by_id.insert(row.id.clone(), policy.clone());
            spec.payment_policy = Some(policy);
        }
    }
}

fn org(rng: &mut StdRng, name: &str, epoch: Timestamp) -> Org {
    Org {
        id: uuid_at(rng, epoch),
        name: name.to_owned(),
    }
}

fn claims_of(user: &User, store: &Store) -> Vec<OrgClaim> {
    user.memberships
        .iter()
        .filter_map(|(id, role)| {
            store.org(id).map(|o| OrgClaim {
                id: o.id.clone(),
                name: o.name.clone(),
                role: role.clone(),
            })
        })
        .collect()
}

struct Minter<'a> {
    root: &'a KeyPair,
    rng: &'a mut StdRng,
    now: Timestamp,
    store: Store,
    keys: Vec<DemoKey>,
}

impl Minter<'_> {
    /// Mints a root key for `user` and (when `record`) stores its row.
    #[allow(clippy::too_many_arguments)]
    fn root_key(
        &mut self,
        label: &str,
        description: &str,
        user: &User,
        token_type: &str,
        rights: Vec<(String, String)>,
        expires_at: Option<Timestamp>,
        record: Option<(Timestamp, Option<Timestamp>)>,
    ) -> Result<(biscuit_auth::Biscuit, TokenRow), BiscuitError> {
        let organizations = claims_of(user, &self.store);
        let created_at = record.map_or(self.now, |(c, _)| c);
        let claims = RootClaims {
            token_id: uuid_at(self.rng, created_at),
            user_id: user.id.clone(),
            token_type: token_type.to_owned(),
            active_organization: organizations
                .first()
                .map(|o| o.id.clone())
                .unwrap_or_default(),
            organizations,
            rights,
            admin_global: token_type == "admin",
            expires_at,
        };
        let (token, text) = biscuit::mint(self.root, &claims)?;
        let row = TokenRow {
            id: claims.token_id.clone(),
            name: format!("{label} demo key"),
            kind: TokenKind::Root,
            token_type: Some(token_type.to_owned()),
            created_by: user.id.clone(),
            created_at,
            expires_at,
            revoked_at: record.and_then(|(_, r)| r),
            last_used: None,
            parent_token_id: None,
            root_token_id: None,
            attenuation_spec: None,
            revocation_id: None,
        };
        if record.is_some() {
            self.store.insert(row.clone());
        }
        self.keys.push(DemoKey {
            label: label.to_owned(),
            token: text,
            user: user.id.clone(),
            description: description.to_owned(),
        });
        Ok((token, row))
    }
}

/// Builds the demo world for `seed`, with times relative to `now`.
pub fn build(seed: u64, now: Timestamp, root: &KeyPair) -> Result<Demo, BiscuitError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let epoch = now.plus_seconds(-500 * DAY);
    let acme = org(&mut rng, "Acme Biotech", epoch);
    let helix = org(&mut rng, "Helix Labs", epoch);
    let northwind = org(&mut rng, "Northwind Proteomics", epoch);
    let ops = org(&mut rng, "Foundry Operations", epoch);
    let orgs = vec![acme.clone(), helix.clone(), northwind.clone(), ops.clone()];

    let admin = User {
        id: uuid_at(&mut rng, epoch),
        name: "Grace Admin".into(),
        memberships: vec![(ops.id.clone(), "admin".into())],
    };
    let member = User {
        id: uuid_at(&mut rng, epoch),
        name: "Ada Member".into(),
        memberships: vec![
            (acme.id.clone(), "member".into()),
            (helix.id.clone(), "viewer".into()),
        ],
    };
    let mut users = vec![admin.clone(), member.clone()];
    for i in 0..OTHER_USERS {
        let home = orgs.get(i % 3).map(|o| o.id.clone()).unwrap_or_default();
        let first = FIRST_NAMES.choose(&mut rng).copied().unwrap_or("User");
        users.push(User {
            id: uuid_at(&mut rng, epoch),
            name: format!("{first} {}", i + 1),
            memberships: vec![(home, "member".into())],
        });
    }
    let store = Store::new(orgs, users.clone());

    // The handed-out keys first: their records count towards their users' tokens.
    let mut minter = Minter {
        root,
        rng: &mut rng,
        now,
        store,
        keys: Vec::new(),
    };
    let in_90_days = Some(now.plus_seconds(90 * DAY));
    minter.root_key(
        "admin",
        "global admin: sees every user's tokens (seed variant: their own, another user's with filter eq(user_id,<uuid>))",
        &admin,
        "admin",
        admin_rights(),
        Some(now.plus_seconds(365 * DAY)),
        Some((now.plus_seconds(-60 * DAY), None)),
    )?;
    let (member_token, member_row) = minter.root_key(
        "member",
        "organization member with ~200 tokens; may list, attenuate and revoke",
        &member,
        "multi_org",
        member_rights(),
        in_90_days,
        Some((now.plus_seconds(-30 * DAY), None)),
    )?;
    let spec = AttenuationSpec {
        read_only: true,
        ..AttenuationSpec::default()
    };
    let child = member_token.append(biscuit::attenuation_block(&spec)?)?;
    let child_created = now.plus_seconds(-20 * DAY);
    minter.store.insert(TokenRow {
        id: uuid_at(minter.rng, child_created),
        name: "read-only demo key".into(),
        kind: TokenKind::Attenuated,
        token_type: None,
        created_by: member.id.clone(),
        created_at: child_created,
        expires_at: member_row.expires_at,
        revoked_at: None,
        last_used: None,
        parent_token_id: Some(member_row.id.clone()),
        root_token_id: Some(member_row.id.clone()),
        attenuation_spec: Some(spec),
        revocation_id: Some(biscuit::last_revocation_id(&child)),
    });
    minter.keys.push(DemoKey {
        label: "read-only".into(),
        token: biscuit::encode(&child)?,
        user: member.id.clone(),
        description: "attenuated from the member key with read_only: list/read only, revoke gives 403".into(),
    });
    minter.root_key(
        "expired",
        "the member's key that expired two days ago: 401 token expired",
        &member,
        "user",
        member_rights(),
        Some(now.plus_seconds(-2 * DAY)),
        Some((now.plus_seconds(-40 * DAY), None)),
    )?;
    minter.root_key(
        "revoked",
        "the member's key, revoked yesterday: 401 token revoked",
        &member,
        "user",
        member_rights(),
        in_90_days,
        Some((now.plus_seconds(-10 * DAY), Some(now.plus_seconds(-DAY)))),
    )?;
    minter.root_key(
        "unrecorded",
        "validly signed but in no record (a stateless token): revoke gives 404",
        &member,
        "user",
        member_rights(),
        in_90_days,
        None,
    )?;
    let Minter {
        mut store, keys, ..
    } = minter;

    let member_existing = store
        .tokens()
        .iter()
        .filter(|t| t.created_by == member.id)
        .count();
    let admin_existing = store
        .tokens()
        .iter()
        .filter(|t| t.created_by == admin.id)
        .count();
    let mut generator = Generator {
        rng: &mut rng,
        now,
        rows: Vec::new(),
    };
    generator.tokens_for(
        &member.id,
        "user",
        MEMBER_TOKENS.saturating_sub(member_existing),
    );
    generator.tokens_for(&admin.id, "admin", 12usize.saturating_sub(admin_existing));
    let remaining = TOTAL_TOKENS.saturating_sub(store.tokens().len() + generator.rows.len());
    let others: Vec<&User> = users.iter().skip(2).collect();
    for (i, user) in others.iter().enumerate() {
        let share = remaining / others.len() + usize::from(i < remaining % others.len());
        let token_type = if i % 7 == 0 { "multi_org" } else { "user" };
        generator.tokens_for(&user.id, token_type, share);
    }
    let mut rows = generator.rows;
    // Impersonation tokens exist only among the admin's.
    for row in rows
        .iter_mut()
        .filter(|r| r.created_by == admin.id && r.kind == TokenKind::Root)
        .step_by(3)
    {
        row.token_type = Some("admin_impersonating".into());
    }
    assign_payment_policies(&mut rows, seed);
    for row in rows {
        store.insert(row);
    }
    Ok(Demo { store, keys })
}

#[cfg(test)]
mod tests {
    use super::*;
    use foundry_keyring::api::models::TokenStatus;

    fn now() -> Timestamp {
        Timestamp::parse("2026-11-22T12:00:00Z").unwrap()
    }

    #[test]
    fn same_seed_same_world_other_seed_other_world() {
        let a = build(7, now(), &KeyPair::new()).unwrap();
        let b = build(7, now(), &KeyPair::new()).unwrap();
        let c = build(8, now(), &KeyPair::new()).unwrap();
        let summary = |d: &Demo| -> Vec<(String, String, Option<Timestamp>)> {
            d.store
                .tokens()
                .iter()
                .map(|t| (t.id.clone(), t.name.clone(), t.expires_at))
                .collect()
        };
        assert_eq!(summary(&a), summary(&b));
        assert_ne!(summary(&a), summary(&c));
    }

    #[test]
    fn the_world_has_the_promised_shape() {
        let demo = build(1, now(), &KeyPair::new()).unwrap();
        let tokens = demo.store.tokens();
        assert_eq!(tokens.len(), TOTAL_TOKENS);
        let member = demo
            .keys
            .iter()
            .find(|k| k.label == "member")
            .unwrap()
            .user
            .clone();
        let mine: Vec<&TokenRow> = tokens.iter().filter(|t| t.created_by == member).collect();
        assert_eq!(mine.len(), MEMBER_TOKENS);
        let count = |f: &dyn Fn(&TokenRow) -> bool| mine.iter().filter(|t| f(t)).count();
        assert!(count(&|t| t.kind == TokenKind::Attenuated) > 20);
        assert!(count(&|t| t.status(now()) == TokenStatus::Expired) > 10);
        assert!(count(&|t| t.status(now()) == TokenStatus::Revoked) > 5);
        let week = now().plus_seconds(7 * DAY);
        assert!(
            count(&|t| t.status(now()) == TokenStatus::Active
                && t.expires_at.is_some_and(|e| e <= week))
                > 5
        );
        assert!(count(&|t| t.last_used.is_some()) > 50);
        assert!(mine.iter().all(|t| t.created_at <= now()));
        // Lineage is consistent: parents exist, are of the same family, and predate the child.
        for child in tokens.iter().filter(|t| t.kind == TokenKind::Attenuated) {
            let parent = demo
                .store
                .get(child.parent_token_id.as_deref().unwrap())
                .unwrap();
            assert_eq!(parent.family(), child.family());
            assert!(parent.created_at < child.created_at);
            assert_eq!(
                child.revoked_at,
                demo.store.get(child.family()).unwrap().revoked_at
            );
        }
        // Some of the member's attenuated records carry a payment policy, and children carry
        // their parent's.
        assert!(
            count(&|t| t
                .attenuation_spec
                .as_ref()
                .is_some_and(|s| s.payment_policy.is_some()))
                >= 3
        );
        for child in tokens.iter().filter(|t| t.kind == TokenKind::Attenuated) {
            let parent = demo
                .store
                .get(child.parent_token_id.as_deref().unwrap())
                .unwrap();
            if let Some(policy) = parent
                .attenuation_spec
                .as_ref()
                .and_then(|s| s.payment_policy.as_ref())
            {
                assert_eq!(
                    child
                        .attenuation_spec
                        .as_ref()
                        .unwrap()
                        .payment_policy
                        .as_ref(),
                    Some(policy)
                );
            }
        }
        let labels: Vec<&str> = demo.keys.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "admin",
                "member",
                "read-only",
                "expired",
                "revoked",
                "unrecorded"
            ]
        );
    }
}
