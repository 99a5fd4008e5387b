//! Which keys of a keyring stop working when the key in use is revoked.
//!
//! Foundry revokes by family: the root of the calling key and every token attenuated from it.
//! A key names its root in the `token_id` fact of its authority block ([`crate::keyinfo`]),
//! and attenuation appends blocks without touching that one, so two keys are of one family
//! exactly when their authority blocks name the same `token_id`. Everything here is read from
//! the keys themselves, locally; nothing is asked of the API.
//!
//! The API base an entry is bound to is deliberately not compared: one family seen through two
//! addresses (a proxy, a renamed host) dies once for both, and naming a key that survives is a
//! lesser harm than keeping quiet about one that dies.

use crate::keyinfo::KeyInfo;

/// One keyring entry, as far as revocation is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFacts<Id> {
    pub id: Id,
    pub label: String,
    /// The authority block's `token_id`: the family's root. `None` when the key does not name
    /// one, or could not be read.
    pub root: Option<String>,
    /// Number of blocks: 1 for a main key, more for a restricted (attenuated) token. `None`
    /// when the key could not be read.
    pub blocks: Option<usize>,
    /// The last block's revocation id, which tells copies of one token from its siblings.
    pub last_revocation_id: Option<String>,
}

impl<Id> EntryFacts<Id> {
    /// The facts of a decoded key (`None`: the key could not be decoded).
    pub fn new(id: Id, label: impl Into<String>, info: Option<&KeyInfo>) -> Self {
        Self {
            id,
            label: label.into(),
            root: info.and_then(|i| i.token_id.clone()),
            blocks: info.map(|i| i.block_count),
            last_revocation_id: info.and_then(|i| i.revocation_ids.last().cloned()),
        }
    }

    fn is_main(&self) -> bool {
        self.blocks == Some(1)
    }
}

/// How an entry that dies is related to the key in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kinship {
    /// The same token saved again under another label.
    CopyOfKeyInUse,
    /// The family's main (unrestricted) key, from which the key in use was made.
    MainKey,
    /// A restricted token made from the key in use, which is the main key.
    MadeFromKeyInUse,
    /// A restricted token made from the same main key as the key in use.
    MadeFromSameMainKey,
    /// Of the same family, but its key could not be read further.
    SameFamily,
}

impl Kinship {
    /// The words after the entry's label, e.g. "lab member, your main key in this keyring, and
    /// every token made from it".
    pub fn describe(self) -> &'static str {
        match self {
            Kinship::CopyOfKeyInUse => "the same key as the one in use, saved under another label",
            Kinship::MainKey => "your main key in this keyring, and every token made from it",
            Kinship::MadeFromKeyInUse => "a restricted token in this keyring made from this key",
            Kinship::MadeFromSameMainKey => {
                "a restricted token in this keyring made from the same main key"
            }
            Kinship::SameFamily => "a key in this keyring made from the same main key",
        }
    }
}

/// An entry that stops working with the key in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Casualty<Id> {
    pub id: Id,
    pub label: String,
    pub kinship: Kinship,
}

/// What revoking the key in use does to the rest of the keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallout<Id> {
    /// The key in use names no root, so which entries share its family cannot be told: any of
    /// `others` may stop working.
    RootUnknown { others: Vec<String> },
    Known {
        /// The entries that die with it, main keys first, then in keyring order.
        dying: Vec<Casualty<Id>>,
        /// Entries whose key names no root: whether they die cannot be told.
        undecided: Vec<String>,
    },
}

/// What the revoke confirmation says about the rest of the keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: &'static str,
    pub text: String,
    /// Entries whether they die cannot be told, said after the ones that do.
    pub undecided: Option<String>,
}

impl<Id> Fallout<Id> {
    /// The warning to show, or `None` when no other entry dies or may die.
    pub fn notice(&self) -> Option<Notice> {
        match self {
            Fallout::RootUnknown { others } if others.is_empty() => None,
            Fallout::RootUnknown { others } => Some(Notice {
                title: "Other keys in this keyring may stop working too",
                text: format!(
                    "This key does not name its main key, so it cannot be told which keys of \
                     this keyring were made from the same one. Any of these may stop working with it: {}.",
                    others.join(", ")
                ),
                undecided: None,
            }),
            Fallout::Known { dying, undecided } => {
                let doubt = (!undecided.is_empty()).then(|| {
                    format!(
                        "Whether {} stop working too cannot be told: their keys do not name a \
                         main key.",
                        undecided.join(", ")
                    )
                });
                match also_revokes_sentence(dying) {
                    Some(text) => Some(Notice {
                        title: "Keys in this keyring stop working too",
                        text,
                        undecided: doubt,
                    }),
                    None => doubt.map(|text| Notice {
                        title: "Other keys in this keyring may stop working too",
                        text,
                        undecided: None,
                    }),
                }
            }
        }
    }

    /// Labels of the entries that die, in the order shown.
    pub fn dying_labels(&self) -> Vec<&str> {
        match self {
            Fallout::RootUnknown { .. } => Vec::new(),
            Fallout::Known { dying, .. } => dying.iter().map(|c| c.label.as_str()).collect(),
        }
    }
}

/// Which of `entries` die when the key of entry `in_use` is revoked. `entries` is the whole
/// keyring, the key in use among them (it is left out of the answer: it dies, and the caller
/// says so in its own words). A key in use missing from `entries` is treated as naming no
/// root.
pub fn revoked_with<Id: PartialEq + Clone>(in_use: &Id, entries: &[EntryFacts<Id>]) -> Fallout<Id> {
    let current = entries.iter().find(|e| &e.id == in_use);
    let others = entries.iter().filter(|e| &e.id != in_use);
    let Some((current, root)) = current.and_then(|c| c.root.as_deref().map(|r| (c, r))) else {
        return Fallout::RootUnknown {
            others: others.map(|e| e.label.clone()).collect(),
        };
    };
    let mut dying: Vec<Casualty<Id>> = Vec::new();
    let mut undecided = Vec::new();
    for entry in others {
        match entry.root.as_deref() {
            None => undecided.push(entry.label.clone()),
            Some(other) if other == root => dying.push(Casualty {
                id: entry.id.clone(),
                label: entry.label.clone(),
                kinship: kinship(current, entry),
            }),
            Some(_) => {}
        }
    }
    // Main keys first: losing one is what a person least expects from revoking a token.
    let (mut first, rest): (Vec<_>, Vec<_>) = dying
        .into_iter()
        .partition(|c: &Casualty<Id>| c.kinship == Kinship::MainKey);
    first.extend(rest);
    Fallout::Known {
        dying: first,
        undecided,
    }
}

fn kinship<Id>(current: &EntryFacts<Id>, other: &EntryFacts<Id>) -> Kinship {
    let same_token = matches!(
        (&current.last_revocation_id, &other.last_revocation_id),
        (Some(a), Some(b)) if a == b
    );
    if same_token {
        return Kinship::CopyOfKeyInUse;
    }
    match (other.blocks, current.is_main()) {
        (None, _) => Kinship::SameFamily,
        (Some(1), _) => Kinship::MainKey,
        (Some(_), true) => Kinship::MadeFromKeyInUse,
        (Some(_), false) if current.blocks.is_some() => Kinship::MadeFromSameMainKey,
        (Some(_), false) => Kinship::SameFamily,
    }
}

/// "This also revokes lab member, your main key in this keyring, and every token made from
/// it." for one entry; for several, each with its kinship in parentheses. `None` when no other
/// entry dies.
pub fn also_revokes_sentence<Id>(dying: &[Casualty<Id>]) -> Option<String> {
    match dying {
        [] => None,
        [one] => Some(format!(
            "This also revokes {}, {}.",
            one.label,
            one.kinship.describe()
        )),
        many => {
            let parts: Vec<String> = many
                .iter()
                .map(|c| format!("{} ({})", c.label, c.kinship.describe()))
                .collect();
            let (last, rest) = parts.split_last()?;
            Some(format!(
                "This also revokes {} keys of this keyring: {} and {}.",
                many.len(),
                rest.join(", "),
                last
            ))
        }
    }
}

/// Whether the text typed to confirm matches the key's label (surrounding spaces aside, as
/// labels are stored trimmed). An empty label never matches.
pub fn confirms_label(typed: &str, label: &str) -> bool {
    let label = label.trim();
    !label.is_empty() && typed.trim() == label
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        id: u32,
        label: &str,
        root: Option<&str>,
        blocks: usize,
        rev: &str,
    ) -> EntryFacts<u32> {
        EntryFacts {
            id,
            label: label.to_owned(),
            root: root.map(str::to_owned),
            blocks: Some(blocks),
            last_revocation_id: Some(rev.to_owned()),
        }
    }

    fn known(fallout: Fallout<u32>) -> (Vec<(String, Kinship)>, Vec<String>) {
        match fallout {
            Fallout::Known { dying, undecided } => (
                dying.into_iter().map(|c| (c.label, c.kinship)).collect(),
                undecided,
            ),
            Fallout::RootUnknown { .. } => panic!("expected a known root"),
        }
    }

    #[test]
    fn a_restricted_key_in_use_takes_its_main_key_and_siblings_with_it() {
        let entries = [
            entry(1, "lab member", Some("root-a"), 1, "r1"),
            entry(2, "robot", Some("root-a"), 2, "r2"),
            entry(3, "admin", Some("root-b"), 1, "r3"),
            entry(4, "reader", Some("root-a"), 3, "r4"),
        ];
        let (dying, undecided) = known(revoked_with(&2, &entries));
        assert_eq!(
            dying,
            vec![
                ("lab member".to_owned(), Kinship::MainKey),
                ("reader".to_owned(), Kinship::MadeFromSameMainKey),
            ]
        );
        assert!(undecided.is_empty());
    }

    #[test]
    fn the_main_key_in_use_takes_the_tokens_made_from_it() {
        let entries = [
            entry(1, "lab member", Some("root-a"), 1, "r1"),
            entry(2, "read only", Some("root-a"), 2, "r2"),
            entry(3, "admin", Some("root-b"), 1, "r3"),
        ];
        let (dying, _) = known(revoked_with(&1, &entries));
        assert_eq!(
            dying,
            vec![("read only".to_owned(), Kinship::MadeFromKeyInUse)]
        );
    }

    #[test]
    fn main_keys_are_named_first_whatever_the_keyring_order() {
        let entries = [
            entry(1, "reader", Some("root-a"), 2, "r1"),
            entry(2, "robot", Some("root-a"), 2, "r2"),
            entry(3, "lab member", Some("root-a"), 1, "r3"),
        ];
        let fallout = revoked_with(&2, &entries);
        assert_eq!(fallout.dying_labels(), vec!["lab member", "reader"]);
    }

    #[test]
    fn a_key_of_another_family_survives_and_an_unrelated_keyring_loses_nothing() {
        let entries = [
            entry(1, "lab member", Some("root-a"), 1, "r1"),
            entry(2, "admin", Some("root-b"), 1, "r2"),
            entry(3, "admin robot", Some("root-b"), 2, "r3"),
        ];
        let (dying, undecided) = known(revoked_with(&1, &entries));
        assert!(dying.is_empty());
        assert!(undecided.is_empty());
        assert_eq!(also_revokes_sentence::<u32>(&[]), None);
    }

    #[test]
    fn the_same_key_saved_twice_is_named_as_a_copy() {
        let entries = [
            entry(1, "lab member", Some("root-a"), 1, "r1"),
            entry(2, "lab member (old)", Some("root-a"), 1, "r1"),
        ];
        let (dying, _) = known(revoked_with(&1, &entries));
        assert_eq!(
            dying,
            vec![("lab member (old)".to_owned(), Kinship::CopyOfKeyInUse)]
        );
    }

    #[test]
    fn entries_that_name_no_root_are_undecided_not_spared() {
        let mut unreadable = entry(2, "odd key", None, 1, "r2");
        unreadable.blocks = None;
        unreadable.last_revocation_id = None;
        let entries = [entry(1, "lab member", Some("root-a"), 1, "r1"), unreadable];
        let (dying, undecided) = known(revoked_with(&1, &entries));
        assert!(dying.is_empty());
        assert_eq!(undecided, vec!["odd key".to_owned()]);
    }

    #[test]
    fn a_same_family_entry_that_could_not_be_read_further_is_still_named() {
        let mut partial = entry(2, "half known", Some("root-a"), 1, "r2");
        partial.blocks = None;
        partial.last_revocation_id = None;
        let entries = [entry(1, "lab member", Some("root-a"), 1, "r1"), partial];
        let (dying, _) = known(revoked_with(&1, &entries));
        assert_eq!(dying, vec![("half known".to_owned(), Kinship::SameFamily)]);
    }

    #[test]
    fn a_key_in_use_without_a_root_leaves_every_other_entry_in_doubt() {
        let entries = [
            entry(1, "mystery", None, 1, "r1"),
            entry(2, "lab member", Some("root-a"), 1, "r2"),
        ];
        assert_eq!(
            revoked_with(&1, &entries),
            Fallout::RootUnknown {
                others: vec!["lab member".to_owned()]
            }
        );
        // Nor can anything be said for a key in use that is not in the keyring.
        assert!(matches!(
            revoked_with(&9, &entries),
            Fallout::RootUnknown { others } if others.len() == 2
        ));
    }

    #[test]
    fn the_sentence_names_each_entry_with_its_kinship() {
        let one = [Casualty {
            id: 1,
            label: "lab member".to_owned(),
            kinship: Kinship::MainKey,
        }];
        assert_eq!(
            also_revokes_sentence(&one).as_deref(),
            Some(
                "This also revokes lab member, your main key in this keyring, and every token made from it."
            )
        );
        let two = [
            one[0].clone(),
            Casualty {
                id: 2,
                label: "reader".to_owned(),
                kinship: Kinship::MadeFromSameMainKey,
            },
        ];
        assert_eq!(
            also_revokes_sentence(&two).as_deref(),
            Some(
                "This also revokes 2 keys of this keyring: lab member (your main key in this keyring, \
                 and every token made from it) and reader (a restricted token in this keyring made \
                 from the same main key)."
            )
        );
    }

    #[test]
    fn the_notice_says_what_dies_and_what_cannot_be_told() {
        let mut unreadable = entry(3, "odd key", None, 1, "r3");
        unreadable.blocks = None;
        let entries = [
            entry(1, "robot", Some("root-a"), 2, "r1"),
            entry(2, "lab member", Some("root-a"), 1, "r2"),
            unreadable,
        ];
        let notice = revoked_with(&1, &entries).notice().unwrap();
        assert_eq!(notice.title, "Keys in this keyring stop working too");
        assert_eq!(
            notice.text,
            "This also revokes lab member, your main key in this keyring, and every token made from it."
        );
        assert_eq!(
            notice.undecided.as_deref(),
            Some(
                "Whether odd key stop working too cannot be told: their keys do not name a main key."
            )
        );
        // Only doubt: still said, under a title that does not claim a death.
        let doubtful = revoked_with(&1, &[entries[0].clone(), entries[2].clone()])
            .notice()
            .unwrap();
        assert_eq!(
            doubtful.title,
            "Other keys in this keyring may stop working too"
        );
        assert!(doubtful.text.starts_with("Whether odd key"));
        // The key in use alone, or only other families: nothing to say.
        assert_eq!(revoked_with(&1, &entries[..1]).notice(), None);
        let other = [
            entries[0].clone(),
            entry(4, "admin", Some("root-b"), 1, "r4"),
        ];
        assert_eq!(revoked_with(&1, &other).notice(), None);
        // A key in use without a root: every other entry is in doubt.
        let rootless = [entry(5, "mystery", None, 1, "r5"), entries[1].clone()];
        let notice = revoked_with(&5, &rootless).notice().unwrap();
        assert!(
            notice
                .text
                .ends_with("Any of these may stop working with it: lab member.")
        );
        assert_eq!(revoked_with(&5, &rootless[..1]).notice(), None);
    }

    #[test]
    fn facts_come_from_the_decoded_key() {
        let info = KeyInfo {
            prefix: "abs0_x".to_owned(),
            token_id: Some("root-a".to_owned()),
            expires_at: None,
            block_count: 2,
            blocks: vec![String::new(), String::new()],
            revocation_ids: vec!["aa".to_owned(), "bb".to_owned()],
        };
        let facts = EntryFacts::new(7u32, "robot", Some(&info));
        assert_eq!(facts.root.as_deref(), Some("root-a"));
        assert_eq!(facts.blocks, Some(2));
        assert_eq!(facts.last_revocation_id.as_deref(), Some("bb"));
        let unread = EntryFacts::new(8u32, "odd", None);
        assert_eq!((unread.root, unread.blocks), (None, None));
    }

    #[test]
    fn the_label_must_be_typed_exactly() {
        assert!(confirms_label("lab member", "lab member"));
        assert!(confirms_label("  lab member ", "lab member"));
        assert!(!confirms_label("lab membe", "lab member"));
        assert!(!confirms_label("Lab Member", "lab member"));
        assert!(!confirms_label("", "lab member"));
        assert!(!confirms_label("", ""));
        assert!(!confirms_label("  ", " "));
    }
}
