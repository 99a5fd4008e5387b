//! A token's restrictions in words, for every place that shows them (the token table, the
//! revoke dialog, a pasted key's preview).
//!
//! The rule is never to make a restricted token look unrestricted: a restriction this client
//! cannot read (a spec it cannot parse, a field a newer API added, September's opaque
//! `payment_policy`) is listed as such, with its JSON, rather than dropped.

use crate::api::models::{AttenuationSpec, Token, TokenKind};
use crate::timestamp::Timestamp;

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
            Restriction::ExpiresAt(at) => format!("expires by {at}"),
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
        match (&token.attenuation_spec, token.kind) {
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
                                    json: compact(value),
                                }),
                        );
                    }
                    restrictions
                }
                Err(_) => Restrictions::Unreadable(compact(value)),
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
            list.push(Restriction::PaymentPolicy(compact(policy)));
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
                capitalise(&words.join("; "))
            }
            Restrictions::Unreadable(_) => capitalise(CANNOT_SHOW),
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
        notes.push(format!(
            "{} restriction block(s): restrictions apply (see what the key says, below)",
            blocks.len() - 1
        ));
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

fn compact(value: &serde_json::Value) -> String {
    value.to_string()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
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

    #[test]
    fn a_pasted_key_names_its_payment_policy() {
        let blocks = vec![
            "token_id(\"r\");".to_owned(),
            "check if operation($r, $a), $a != \"delete\";\npayment_policy(\"{\\\"max\\\":1}\");"
                .to_owned(),
        ];
        let notes = of_key_blocks(&blocks);
        assert_eq!(notes.len(), 2);
        assert!(notes[1].contains("payment_policy("), "{notes:?}");
        assert!(of_key_blocks(&blocks[..1]).is_empty());
    }
}
