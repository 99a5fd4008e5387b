#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a panic is a failure report

use super::*;
use biscuit_auth::{BiscuitBuilder, BlockBuilder, KeyPair};

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
        let info = inspect(&pasted).unwrap();
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
fn typed_errors() {
    assert_eq!(inspect(""), Err(KeyInfoError::Empty));
    assert_eq!(inspect("  \n\t"), Err(KeyInfoError::Empty));
    assert_eq!(inspect("sk-live-abc"), Err(KeyInfoError::NotAFoundryKey));
    assert_eq!(
        inspect(&token(AUTHORITY)),
        Err(KeyInfoError::NotAFoundryKey)
    );
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
