//! A token's restrictions in words, for every place that shows them (the token table and a
//! token's details, the revoke dialog, a pasted key's preview, the summary of a token about to
//! be created), and what a key may do (its permissions, grouped so a uniform set reads as one
//! line: "Full access to 21 resources").
//!
//! The rule is never to make a restricted token look unrestricted: a restriction this client
//! cannot read (a spec it cannot parse, a field a newer API added, September's opaque
//! `payment_policy`) is listed as such, with its JSON, rather than dropped.

use crate::api::models::{ACTIONS, AttenuationSpec, Token, TokenKind};
use crate::format;
use crate::timestamp::Timestamp;
use std::collections::BTreeMap;

/// One restriction, in the order a person reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restriction {
    ReadOnly,
    NonDestructive,
    Actions(Vec<String>),
    Resources(Vec<String>),
    Organizations(Vec<String>),
    ExpiresAt(Timestamp),
    /// September 2026: its shape is not published, so it is shown as the JSON that came.
    PaymentPolicy(String),
    /// A field of the spec this client does not know, with its JSON.
    Unknown {
        field: String,
        json: String,
    },
}

impl Restriction {
    /// A short phrase, e.g. "read-only (list and read)".
    pub fn describe(&self) -> String {
        match self {
            Restriction::ReadOnly => "read-only (list and read)".to_owned(),
            Restriction::NonDestructive => "non-destructive (no delete)".to_owned(),
            Restriction::Actions(actions) => format!("only actions: {}", actions.join(", ")),
            Restriction::Resources(resources) => {
                format!("only resources: {}", resources.join(", "))
            }
            Restriction::Organizations(orgs) => match orgs.len() {
                1 => "one organization only".to_owned(),
                n => format!("{n} organizations only"),
            },
            Restriction::ExpiresAt(at) => format!("expires by {}", format::absolute(*at)),
            Restriction::PaymentPolicy(json) => format!("payment policy: {json}"),
            Restriction::Unknown { field, json } => {
                format!("{field}: {json} (a restriction this app cannot show in words)")
            }
        }
    }

    /// Whether this app knows what the restriction means.
    pub fn is_understood(&self) -> bool {
        !matches!(
            self,
            Restriction::PaymentPolicy(_) | Restriction::Unknown { .. }
        )
    }
}

/// What is known about a token's restrictions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restrictions {
    /// A main (root) key: no restrictions beyond its owner's rights.
    None,
    /// The list does not say (the seed shape has no spec, or an attenuated row came without one).
    NotListed,
    /// The restrictions, each in words.
    Listed(Vec<Restriction>),
    /// A spec came but is not one this client can read: shown as its JSON.
    Unreadable(String),
}

impl Restrictions {
    /// From a token of the list.
    pub fn of_token(token: &Token) -> Self {
        match (&token.attenuation_spec, &token.kind) {
            (None | Some(serde_json::Value::Null), Some(TokenKind::Root)) => Restrictions::None,
            (None | Some(serde_json::Value::Null), _) => Restrictions::NotListed,
            (Some(value), _) => match serde_json::from_value::<AttenuationSpec>(value.clone()) {
                Ok(spec) => {
                    let mut restrictions = Restrictions::of_spec(&spec);
                    if let (Restrictions::Listed(list), Some(fields)) =
                        (&mut restrictions, value.as_object())
                    {
                        list.extend(
                            fields
                                .iter()
                                .filter(|(field, value)| {
                                    !KNOWN_FIELDS.contains(&field.as_str()) && !value.is_null()
                                })
                                .map(|(field, value)| Restriction::Unknown {
                                    field: field.clone(),
                                    json: value.to_string(),
                                }),
                        );
                    }
                    restrictions
                }
                Err(_) => Restrictions::Unreadable(value.to_string()),
            },
        }
    }

    pub fn of_spec(spec: &AttenuationSpec) -> Self {
        let mut list = Vec::new();
        if spec.read_only {
            list.push(Restriction::ReadOnly);
        }
        if spec.non_destructive {
            list.push(Restriction::NonDestructive);
        }
        if let Some(actions) = &spec.allowed_actions {
            list.push(Restriction::Actions(actions.clone()));
        }
        if let Some(resources) = &spec.allowed_resources {
            list.push(Restriction::Resources(resources.clone()));
        }
        if let Some(orgs) = &spec.allowed_org_ids {
            list.push(Restriction::Organizations(orgs.clone()));
        }
        if let Some(at) = spec.expires_at {
            list.push(Restriction::ExpiresAt(at));
        }
        if let Some(policy) = spec.payment_policy.as_ref().filter(|p| !p.is_null()) {
            list.push(Restriction::PaymentPolicy(policy.to_string()));
        }
        Restrictions::Listed(list)
    }

    /// One line for a table cell.
    pub fn summary(&self) -> String {
        match self {
            Restrictions::None => "none (main key)".to_owned(),
            Restrictions::NotListed => "not listed by this API".to_owned(),
            Restrictions::Listed(list) if list.is_empty() => "none stated".to_owned(),
            Restrictions::Listed(list) => {
                let mut words: Vec<String> = list
                    .iter()
                    .filter(|r| r.is_understood())
                    .map(Restriction::describe)
                    .collect();
                if list
                    .iter()
                    .any(|r| matches!(r, Restriction::PaymentPolicy(_)))
                {
                    words.push("a payment policy".to_owned());
                }
                if list
                    .iter()
                    .any(|r| matches!(r, Restriction::Unknown { .. }))
                {
                    words.push(CANNOT_SHOW.to_owned());
                }
                format::capitalise(&words.join("; "))
            }
            Restrictions::Unreadable(_) => format::capitalise(CANNOT_SHOW),
        }
    }

    /// The JSON of what this app cannot put in words (for a details disclosure), if any.
    pub fn raw(&self) -> Vec<String> {
        match self {
            Restrictions::Listed(list) => list
                .iter()
                .filter(|r| !r.is_understood())
                .map(Restriction::describe)
                .collect(),
            Restrictions::Unreadable(json) => vec![json.clone()],
            Restrictions::None | Restrictions::NotListed => Vec::new(),
        }
    }
}

/// In words, what a token made with `spec` from a key expiring at `key_expiry` will be able to
/// do, before it is created: "Read-only (list and read); expires by 2026-07-01 12:00 UTC".
/// Without an expiry of its own it says what bounds it (the key's, or nothing).
pub fn new_token_summary(spec: &AttenuationSpec, key_expiry: Option<Timestamp>) -> String {
    let restrictions = Restrictions::of_spec(spec);
    let mut text = match &restrictions {
        Restrictions::Listed(list)
            if list.iter().all(|r| matches!(r, Restriction::ExpiresAt(_))) =>
        {
            // Only an expiry: every right of the key until then.
            let mut words = vec!["Everything the key in use may do".to_owned()];
            words.extend(list.iter().map(Restriction::describe));
            words.join("; ")
        }
        other => other.summary(),
    };
    if spec.expires_at.is_none() {
        text.push_str(&match key_expiry {
            Some(at) => format!("; expires with the key in use, by {}", format::absolute(at)),
            None => "; no expiry of its own".to_owned(),
        });
    }
    text
}

/// The expiry presets of a new token, in days from now.
pub const EXPIRY_PRESET_DAYS: [u32; 4] = [7, 30, 60, 90];

/// How a new token's expiry is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryChoice {
    /// This many days from now.
    Days(u32),
    /// A date and time the person picks.
    Custom,
    /// None of its own: the key's expiry (or none) bounds it.
    KeyOwn,
}

/// Why an expiry cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryProblem {
    #[error("Enter the expiry as a date and time.")]
    Missing,
    #[error("The expiry must be in the future.")]
    Past,
    #[error(
        "The expiry cannot be later than the key's own expiry: attenuation only removes rights."
    )]
    AfterKey,
}

impl ExpiryChoice {
    /// The expiry this choice gives at `now`; `custom` is the picked time (for
    /// [`ExpiryChoice::Custom`]). Checked against `now` and the key's own expiry.
    pub fn resolve(
        self,
        now: Timestamp,
        custom: Option<Timestamp>,
        key_expiry: Option<Timestamp>,
    ) -> Result<Option<Timestamp>, ExpiryProblem> {
        let at = match self {
            ExpiryChoice::KeyOwn => return Ok(None),
            ExpiryChoice::Days(days) => now.plus_seconds(i64::from(days) * 86_400),
            ExpiryChoice::Custom => custom.ok_or(ExpiryProblem::Missing)?,
        };
        if at <= now {
            return Err(ExpiryProblem::Past);
        }
        if key_expiry.is_some_and(|key| at > key) {
            return Err(ExpiryProblem::AfterKey);
        }
        Ok(Some(at))
    }

    /// Whether the preset can be chosen: it must not end after the key does.
    pub fn available(self, now: Timestamp, key_expiry: Option<Timestamp>) -> bool {
        match self {
            ExpiryChoice::Days(_) => self.resolve(now, None, key_expiry).is_ok(),
            ExpiryChoice::Custom | ExpiryChoice::KeyOwn => true,
        }
    }

    /// The choice offered first: 30 days when the key lasts that long, else the key's own.
    pub fn default_for(now: Timestamp, key_expiry: Option<Timestamp>) -> Self {
        let thirty = ExpiryChoice::Days(30);
        if thirty.available(now, key_expiry) {
            thirty
        } else {
            ExpiryChoice::KeyOwn
        }
    }
}

/// Resources that share the same set of actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionGroup {
    /// Sorted; empty for permissions written without `resource:action`.
    pub actions: Vec<String>,
    /// Sorted.
    pub resources: Vec<String>,
}

impl PermissionGroup {
    /// Every published action.
    pub fn is_full(&self) -> bool {
        ACTIONS.iter().all(|a| self.actions.iter().any(|b| b == a))
    }

    /// One line: "Full access to 21 resources", "List and read on 6 resources"; up to
    /// [`NAMED_RESOURCES`] resources are named: "Create on feedback", "Read on info, usage and
    /// user".
    pub fn headline(&self) -> String {
        let resources = if self.resources.len() <= NAMED_RESOURCES {
            and_list(&self.resources)
        } else {
            format::count(self.resources.len() as u64, "resource", "resources")
        };
        if self.actions.is_empty() {
            return format!("Other permissions: {resources}");
        }
        if self.is_full() {
            return format!("Full access to {resources}");
        }
        format::capitalise(&format!("{} on {resources}", and_list(&self.actions)))
    }
}

/// Up to this many resources, a group's headline names them rather than counting them.
pub const NAMED_RESOURCES: usize = 3;

/// What a key may do (`resource → actions`, as [`crate::api::models::WhoAmI::permissions_by_resource`]
/// gives it), as groups of resources with identical actions: the widest first (most actions,
/// then most resources), so an admin's 168 permissions are one group of 21 resources.
pub fn group_permissions(by_resource: &BTreeMap<String, Vec<String>>) -> Vec<PermissionGroup> {
    let mut groups: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (resource, actions) in by_resource {
        let mut actions = actions.clone();
        actions.sort();
        actions.dedup();
        groups.entry(actions).or_default().push(resource.clone());
    }
    let mut groups: Vec<PermissionGroup> = groups
        .into_iter()
        .map(|(actions, mut resources)| {
            resources.sort();
            PermissionGroup { actions, resources }
        })
        .collect();
    groups.sort_by(|a, b| {
        a.actions
            .is_empty()
            .cmp(&b.actions.is_empty())
            .then(b.actions.len().cmp(&a.actions.len()))
            .then(b.resources.len().cmp(&a.resources.len()))
            .then(a.actions.cmp(&b.actions))
    });
    // Actions in the published order, which reads better than alphabetical.
    for group in &mut groups {
        group
            .actions
            .sort_by_key(|a| ACTIONS.iter().position(|b| b == a).unwrap_or(ACTIONS.len()));
    }
    groups
}

/// The whole set in one line: "Full access to 21 resources" when it is uniform and full,
/// else "37 permissions on 15 resources".
pub fn permissions_headline(groups: &[PermissionGroup]) -> String {
    match groups {
        [] => "No permissions".to_owned(),
        [only] => only.headline(),
        _ => {
            let resources: usize = groups.iter().map(|g| g.resources.len()).sum();
            let permissions: usize = groups
                .iter()
                .map(|g| g.resources.len() * g.actions.len().max(1))
                .sum();
            format!(
                "{} on {}",
                format::count(permissions as u64, "permission", "permissions"),
                format::count(resources as u64, "resource", "resources")
            )
        }
    }
}

/// More resources than this and the list starts collapsed, so it does not push the tokens down.
pub const PERMISSIONS_SHOWN_OPEN: usize = 12;

/// Whether the per-group resource lists start collapsed.
pub fn permissions_start_collapsed(groups: &[PermissionGroup]) -> bool {
    groups.iter().map(|g| g.resources.len()).sum::<usize>() > PERMISSIONS_SHOWN_OPEN
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The spec fields this client reads (the published ones and `payment_policy`).
const KNOWN_FIELDS: [&str; 7] = [
    "read_only",
    "non_destructive",
    "allowed_actions",
    "allowed_resources",
    "allowed_org_ids",
    "expires_at",
    "payment_policy",
];

/// The words used wherever a restriction cannot be read.
pub const CANNOT_SHOW: &str = "has restrictions this app cannot show";

/// What a pasted key's attenuation blocks mention that a person should see, without reading
/// Foundry's unpublished Datalog vocabulary: a block that names a payment policy is pointed
/// out (its text is shown as written), and any attenuation block means restrictions exist.
pub fn of_key_blocks(blocks: &[String]) -> Vec<String> {
    let mut notes = Vec::new();
    if blocks.len() > 1 {
        // Not format::count: the first screen shows this, and grouping digits costs it 0.3 kB.
        notes.push(match blocks.len() - 1 {
            1 => "1 block of restrictions added to its main key".to_owned(),
            n => format!("{n} blocks of restrictions added to its main key"),
        });
    }
    for (i, block) in blocks.iter().enumerate().skip(1) {
        for statement in block.split(';').map(str::trim) {
            if statement.starts_with("payment_policy(") {
                notes.push(format!("block {i} names a payment policy: {statement}"));
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(kind: Option<TokenKind>, spec: Option<serde_json::Value>) -> Token {
        serde_json::from_value(json!({
            "id": "t", "name": "n", "created_at": "2026-01-01T00:00:00Z",
            "kind": kind, "attenuation_spec": spec,
        }))
        .unwrap()
    }

    #[test]
    fn a_root_is_unrestricted_and_a_seed_row_says_it_does_not_know() {
        assert_eq!(
            Restrictions::of_token(&token(Some(TokenKind::Root), None)),
            Restrictions::None
        );
        assert_eq!(
            Restrictions::of_token(&token(None, None)),
            Restrictions::NotListed
        );
        assert_eq!(
            Restrictions::of_token(&token(Some(TokenKind::Attenuated), None)),
            Restrictions::NotListed
        );
    }

    #[test]
    fn a_payment_policy_is_listed_and_never_hidden() {
        let spec = json!({"read_only": true, "payment_policy": {"max_spend_usd": 500}});
        let restrictions = Restrictions::of_token(&token(Some(TokenKind::Attenuated), Some(spec)));
        assert_eq!(
            restrictions.summary(),
            "Read-only (list and read); a payment policy"
        );
        assert_eq!(
            restrictions.raw(),
            vec![r#"payment policy: {"max_spend_usd":500}"#.to_owned()]
        );
    }

    #[test]
    fn unknown_fields_and_unreadable_specs_say_so() {
        let newer = json!({"allowed_resources": ["experiment", "lab_robot"], "max_runs": 3});
        let restrictions = Restrictions::of_token(&token(Some(TokenKind::Attenuated), Some(newer)));
        assert_eq!(
            restrictions.summary(),
            "Only resources: experiment, lab_robot; has restrictions this app cannot show"
        );
        assert_eq!(restrictions.raw().len(), 1);
        let odd = json!({"read_only": "yes"});
        let restrictions = Restrictions::of_token(&token(Some(TokenKind::Attenuated), Some(odd)));
        assert_eq!(
            restrictions.summary(),
            "Has restrictions this app cannot show"
        );
        assert_eq!(
            restrictions.raw(),
            vec![r#"{"read_only":"yes"}"#.to_owned()]
        );
    }

    fn by_resource(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(r, actions)| {
                (
                    (*r).to_owned(),
                    actions.iter().map(|a| (*a).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn an_admins_uniform_permissions_are_one_line() {
        let all: Vec<&str> = ACTIONS.to_vec();
        let resources = crate::api::models::RESOURCES;
        let admin: BTreeMap<String, Vec<String>> = resources
            .iter()
            .map(|r| {
                (
                    (*r).to_owned(),
                    all.iter().rev().map(|a| (*a).to_owned()).collect(),
                )
            })
            .collect();
        let groups = group_permissions(&admin);
        assert_eq!(groups.len(), 1);
        assert!(groups[0].is_full());
        assert_eq!(
            groups[0].actions,
            ACTIONS.map(str::to_owned),
            "published order"
        );
        assert_eq!(permissions_headline(&groups), "Full access to 21 resources");
        assert!(permissions_start_collapsed(&groups));
    }

    #[test]
    fn mixed_permissions_group_by_identical_actions() {
        let groups = group_permissions(&by_resource(&[
            ("target", &["read", "list"]),
            ("result", &["list", "read"]),
            ("experiment", &["list", "read", "create"]),
            ("usage", &["read"]),
            ("legacy", &[]),
        ]));
        let lines: Vec<String> = groups.iter().map(PermissionGroup::headline).collect();
        assert_eq!(
            lines,
            [
                "List, read and create on experiment",
                "List and read on result and target",
                "Read on usage",
                "Other permissions: legacy",
            ]
        );
        assert_eq!(groups[1].resources, ["result", "target"]);
        assert_eq!(
            permissions_headline(&groups),
            "9 permissions on 5 resources"
        );
        assert!(!permissions_start_collapsed(&groups));
        assert_eq!(permissions_headline(&[]), "No permissions");
        let uniform = group_permissions(&by_resource(&[("a", &["read"]), ("b", &["read"])]));
        assert_eq!(permissions_headline(&uniform), "Read on a and b");
        let four = group_permissions(&by_resource(&[
            ("a", &["read"]),
            ("b", &["read"]),
            ("c", &["read"]),
            ("d", &["read"]),
        ]));
        assert_eq!(permissions_headline(&four), "Read on 4 resources");
    }

    #[test]
    fn a_new_tokens_summary_before_it_is_created() {
        let at = Timestamp::parse("2026-07-01T12:00:00Z").expect("ts");
        let key = Timestamp::parse("2026-09-01T00:00:00Z").expect("ts");
        let read_only = AttenuationSpec {
            read_only: true,
            expires_at: Some(at),
            ..AttenuationSpec::default()
        };
        assert_eq!(
            new_token_summary(&read_only, Some(key)),
            "Read-only (list and read); expires by 2026-07-01 12:00\u{a0}UTC"
        );
        let chosen = AttenuationSpec {
            allowed_resources: Some(vec!["experiment".into()]),
            allowed_actions: Some(vec!["list".into(), "read".into()]),
            ..AttenuationSpec::default()
        };
        assert_eq!(
            new_token_summary(&chosen, Some(key)),
            "Only actions: list, read; only resources: experiment; expires with the key in use, by 2026-09-01 00:00\u{a0}UTC"
        );
        assert_eq!(
            new_token_summary(&AttenuationSpec::default(), None),
            "Everything the key in use may do; no expiry of its own"
        );
        let only_expiry = AttenuationSpec {
            expires_at: Some(at),
            ..AttenuationSpec::default()
        };
        assert_eq!(
            new_token_summary(&only_expiry, None),
            "Everything the key in use may do; expires by 2026-07-01 12:00\u{a0}UTC"
        );
    }

    #[test]
    fn expiry_presets_stay_within_the_keys_expiry() {
        let now = Timestamp::parse("2026-06-01T00:00:00Z").expect("ts");
        let key = Some(now.plus_seconds(45 * 86_400));
        let days = |d| ExpiryChoice::Days(d);
        assert_eq!(
            days(7).resolve(now, None, key),
            Ok(Some(Timestamp::parse("2026-06-08T00:00:00Z").expect("ts")))
        );
        assert!(days(30).available(now, key));
        assert!(!days(60).available(now, key));
        assert_eq!(
            days(90).resolve(now, None, key),
            Err(ExpiryProblem::AfterKey)
        );
        assert!(days(90).available(now, None));
        assert_eq!(ExpiryChoice::KeyOwn.resolve(now, None, key), Ok(None));
        assert_eq!(
            ExpiryChoice::Custom.resolve(now, None, key),
            Err(ExpiryProblem::Missing)
        );
        assert_eq!(
            ExpiryChoice::Custom.resolve(now, Some(now.plus_seconds(-1)), key),
            Err(ExpiryProblem::Past)
        );
        assert_eq!(ExpiryChoice::default_for(now, key), days(30));
        assert_eq!(
            ExpiryChoice::default_for(now, Some(now.plus_seconds(86_400))),
            ExpiryChoice::KeyOwn
        );
    }

    #[test]
    fn a_pasted_key_names_its_payment_policy() {
        let blocks = vec![
            "token_id(\"r\");".to_owned(),
            "check if operation($r, $a), $a != \"delete\";\npayment_policy(\"{\\\"max\\\":1}\");"
                .to_owned(),
        ];
        let notes = of_key_blocks(&blocks);
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0], "1 block of restrictions added to its main key");
        assert!(notes[1].contains("payment_policy("), "{notes:?}");
        assert!(of_key_blocks(&blocks[..1]).is_empty());
        let twice = [&blocks[..], &blocks[1..]].concat();
        assert_eq!(
            of_key_blocks(&twice)[0],
            "2 blocks of restrictions added to its main key"
        );
    }
}
