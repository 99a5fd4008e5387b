#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a panic is a failure report

use super::*;
use biscuit_auth::{BiscuitBuilder, BlockBuilder, KeyPair};

/// What the key agent does with a paste: the key read out of it, then decoded.
fn read(pasted: &str) -> Result<KeyInfo, KeyInfoError> {
    inspect(pasted_key(pasted).expose_secret())
}

fn token(code: &str) -> String {
    let root = KeyPair::new();
    BiscuitBuilder::new()
        .code(code)
        .unwrap()
        .build(&root)
        .unwrap()
        .to_base64()
        .unwrap()
}

const AUTHORITY: &str = r#"token_id("tok_123"); right("experiment", "read");
    check if time($t), $t <= 2027-06-01T00:00:00Z;"#;

#[test]
fn decodes_keys_with_slugs_of_any_length() {
    let b64 = token(AUTHORITY);
    for slug in [
        "",
        "a",
        "ab12",
        "x_y-z",
        "live_0123456789abcdef",
        &"s".repeat(40),
    ] {
        let pasted = format!("  {KEY_PREFIX}{slug}{b64}\n");
        let info = read(&pasted).unwrap();
        assert_eq!(info.prefix, format!("{KEY_PREFIX}{slug}"), "slug {slug:?}");
        assert_eq!(info.token_id.as_deref(), Some("tok_123"));
        assert_eq!(
            info.expires_at,
            Timestamp::parse("2027-06-01T00:00:00Z").ok()
        );
        assert_eq!(info.block_count, 1);
        assert_eq!(info.revocation_ids.len(), 1);
        assert!(info.blocks[0].contains("right(\"experiment\", \"read\")"));
    }
}

#[test]
fn attenuated_token_takes_the_earliest_expiry_of_any_block() {
    let root = KeyPair::new();
    let token = BiscuitBuilder::new()
        .code(AUTHORITY)
        .unwrap()
        .build(&root)
        .unwrap();
    let b64 = token.to_base64().unwrap();
    let unverified = UnverifiedBiscuit::from_base64(&b64).unwrap();
    let block = BlockBuilder::new()
        .code("check if time($time), $time < 2026-12-31T00:00:00Z; check if resource(\"x\");")
        .unwrap();
    let child = unverified.append(block).unwrap().to_base64().unwrap();
    let info = inspect(&format!("abs0_q9{child}")).unwrap();
    assert_eq!(info.block_count, 2);
    assert_eq!(info.blocks.len(), 2);
    assert_eq!(info.revocation_ids.len(), 2);
    assert_eq!(info.token_id.as_deref(), Some("tok_123"));
    assert_eq!(
        info.expires_at,
        Timestamp::parse("2026-12-31T00:00:00Z").ok()
    );
    assert_eq!(info.prefix, "abs0_q9");
}

#[test]
fn token_without_expiry_or_token_id() {
    let b64 = token(r#"user("u1"); check if operation("read");"#);
    let info = inspect(&format!("abs0_{b64}")).unwrap();
    assert_eq!(info.token_id, None);
    assert_eq!(info.expires_at, None);
}

#[test]
fn only_facts_and_unconditional_time_checks_count() {
    // token_id in a non-authority block is not the token's id; an `or` alternative makes
    // the time condition optional; `>=` is a not-before, not an expiry.
    let root = KeyPair::new();
    let token = BiscuitBuilder::new()
        .code(
            r#"check if time($t), $t <= 2026-01-01T00:00:00Z or admin(true);
               check if time($t), $t >= 2020-01-01T00:00:00Z;
               check if token_id("nope");"#,
        )
        .unwrap()
        .build(&root)
        .unwrap();
    let child = token
        .append(BlockBuilder::new().code(r#"token_id("later");"#).unwrap())
        .unwrap()
        .to_base64()
        .unwrap();
    let info = inspect(&format!("abs0_{child}")).unwrap();
    assert_eq!(info.token_id, None);
    assert_eq!(info.expires_at, None);
}

#[test]
fn a_key_is_read_from_what_people_paste_around_it() {
    let b64 = token(AUTHORITY);
    let key = format!("{KEY_PREFIX}ab12{b64}");
    let (head, tail) = key.split_at(40);
    for pasted in [
        key.clone(),
        format!("  {key}\n"),
        // Wrapped over lines; a browser's text field turns the break into a space.
        format!("{head}\n{tail}"),
        format!("{head} {tail}"),
        format!("{head}\r\n  {tail}"),
        // An Authorization header's value, in any case.
        format!("Bearer {key}"),
        format!("bearer\t{key}"),
        format!("BEARER  {head}\n{tail}"),
        // Quoted in JSON, a shell or Markdown.
        format!("\"{key}\""),
        format!("'{key}'"),
        format!("`{key}`"),
        format!("Bearer \"{key}\""),
    ] {
        assert_eq!(pasted_key(&pasted).expose_secret(), key, "{pasted:?}");
        assert_eq!(shape(&pasted), Ok(()), "{pasted:?}");
        let info = read(&pasted).unwrap_or_else(|e| panic!("{pasted:?}: {e}"));
        assert_eq!(info.token_id.as_deref(), Some("tok_123"));
    }
    // Only what a key cannot hold is taken away: a word glued to the key, a lone quote or a
    // scheme without its space stay, and the key is not read as something it is not.
    assert_eq!(read(&format!("Bearer{key}")), Err(KeyInfoError::KeyInText));
    assert_eq!(read(&format!("\"{key}")), Err(KeyInfoError::KeyInText));
    assert_eq!(read(&format!("{key}x")), Err(KeyInfoError::Undecodable));
    assert_eq!(pasted_key("\"\"").expose_secret(), "");
    assert_eq!(pasted_key("Bearer").expose_secret(), "Bearer");
}

#[test]
fn a_key_inside_other_text_is_asked_for_alone() {
    let key = format!("{KEY_PREFIX}ab12{}", token(AUTHORITY));
    for pasted in [
        format!("FOUNDRY_API_KEY={key}"),
        format!("export FOUNDRY_API_KEY=\"{key}\""),
        format!("token: {key}"),
        format!("Authorization: Bearer {key}"),
    ] {
        // The page sends it to the key agent, which says why it is refused.
        assert_eq!(shape(&pasted), Ok(()), "{pasted:?}");
        assert_eq!(read(&pasted), Err(KeyInfoError::KeyInText), "{pasted:?}");
    }
    assert!(
        KeyInfoError::KeyInText
            .to_string()
            .contains("paste the key alone")
    );
}

#[test]
fn typed_errors() {
    assert_eq!(inspect(""), Err(KeyInfoError::Empty));
    assert_eq!(read("  \n\t"), Err(KeyInfoError::Empty));
    assert_eq!(inspect("sk-live-abc"), Err(KeyInfoError::NotAFoundryKey));
    assert_eq!(
        inspect(&token(AUTHORITY)),
        Err(KeyInfoError::NotAFoundryKey)
    );
    // What the page tells by itself, before asking the key agent.
    assert_eq!(shape(" \n"), Err(KeyInfoError::Empty));
    assert_eq!(shape("ghp_notakey"), Err(KeyInfoError::NotAFoundryKey));
    assert_eq!(shape("abs0_notabiscuit"), Ok(()));
    assert_eq!(inspect("abs0_"), Err(KeyInfoError::Undecodable));
    assert_eq!(
        inspect("abs0_notabiscuitatall"),
        Err(KeyInfoError::Undecodable)
    );
    assert_eq!(inspect("abs0_ééé"), Err(KeyInfoError::Undecodable));
    let b64 = token(AUTHORITY);
    let truncated = &b64[..b64.len() / 2];
    assert_eq!(
        inspect(&format!("abs0_ab{truncated}")),
        Err(KeyInfoError::Undecodable)
    );
    // A slug longer than the bound is not searched for.
    let long_slug = "s".repeat(MAX_SLUG_LEN + 1);
    assert_eq!(
        inspect(&format!("abs0_{long_slug}{b64}")),
        Err(KeyInfoError::Undecodable)
    );
}

#[test]
fn fingerprint_shows_prefix_and_last_four_only() {
    let key = SecretString::from(format!("abs0_ab12{}", "x".repeat(40) + "WXYZ"));
    assert_eq!(fingerprint(&key), "abs0_ab12…WXYZ");
    assert_eq!(fingerprint(&SecretString::from("abs0_short")), "…");
    assert_eq!(fingerprint(&SecretString::from("")), "…");
    let real = SecretString::from(format!("abs0_{}", token(AUTHORITY)));
    let fp = fingerprint(&real);
    assert!(fp.starts_with("abs0_") && fp.chars().count() == 14, "{fp}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        #[test]
        fn inspect_never_panics(text in ".{0,120}") {
            let _ = inspect(&text);
            let _ = inspect(&format!("abs0_{text}"));
            let _ = fingerprint(&SecretString::from(text.as_str()));
        }
    }
}
