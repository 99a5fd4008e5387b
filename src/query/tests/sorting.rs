//! Sort parsing (canonical and short forms) and ordering of the fixture.

use super::fixture::{rows, sorted};
use crate::query::{Operand, Sort, SortError, SortTerm, parse_sort};
use std::cmp::Ordering;

#[test]
fn short_forms_parse_to_canonical_terms() {
    let cases = [
        ("-created_at", "desc(created_at)"),
        ("+name", "asc(name)"),
        ("created_at:desc", "desc(created_at)"),
        ("created_at:asc", "asc(created_at)"),
        ("name", "asc(name)"),
        (
            "-created_at,asc(name),kind:desc,+uses",
            "desc(created_at),asc(name),desc(kind),asc(uses)",
        ),
        (
            " - created_at ,  name : desc ",
            "desc(created_at),desc(name)",
        ),
        // A field may be called asc or desc: only a call is a direction.
        ("asc", "asc(asc)"),
        ("desc:desc", "desc(desc)"),
        ("desc(asc)", "desc(asc)"),
        ("asc ( name )", "asc(name)"),
    ];
    for (input, canonical) in cases {
        assert_eq!(
            parse_sort(input).map(|s| s.to_string()),
            Ok(canonical.to_owned()),
            "{input}"
        );
    }
}

#[test]
fn eight_terms_are_allowed() {
    let text = "a,b,c,d,e,f,g,h";
    assert_eq!(parse_sort(text).map(|s| s.terms().len()), Ok(8));
}

#[test]
fn nulls_last_ascending_and_first_descending() {
    // expires_at: alpha 12-31, beta 06-30, gamma NULL, delta 01-31, Epsilon NULL.
    assert_eq!(
        sorted("asc(expires_at)"),
        Ok(vec!["delta", "beta-ci", "alpha", "gamma", "Epsilon"])
    );
    // NULLs first, and stable: gamma stays before Epsilon.
    assert_eq!(
        sorted("desc(expires_at)"),
        Ok(vec!["gamma", "Epsilon", "alpha", "beta-ci", "delta"])
    );
}

#[test]
fn later_terms_break_ties() {
    assert_eq!(
        sorted("asc(kind),desc(expires_at)"),
        Ok(vec!["beta-ci", "delta", "gamma", "Epsilon", "alpha"])
    );
    // token_type: NULLs (beta-ci, delta) first, ordered by name; then user, multi_org, admin.
    assert_eq!(
        sorted("-token_type,name"),
        Ok(vec!["beta-ci", "delta", "gamma", "Epsilon", "alpha"])
    );
    assert_eq!(
        sorted("-token_type,-name"),
        Ok(vec!["delta", "beta-ci", "gamma", "Epsilon", "alpha"])
    );
    // Same day for alpha and delta: the name decides.
    assert_eq!(
        sorted("desc(date(created_at)),asc(name)"),
        Ok(vec!["Epsilon", "beta-ci", "alpha", "delta", "gamma"])
    );
    assert_eq!(
        sorted("desc(date(created_at)),desc(name)"),
        Ok(vec!["Epsilon", "beta-ci", "delta", "alpha", "gamma"])
    );
}

#[test]
fn values_sort_by_type() {
    // Text byte-wise: 'E' before 'a'.
    assert_eq!(
        sorted("name"),
        Ok(vec!["Epsilon", "alpha", "beta-ci", "delta", "gamma"])
    );
    // Numbers numerically (100 after 42), unlike their text.
    assert_eq!(
        sorted("uses"),
        Ok(vec!["gamma", "delta", "beta-ci", "alpha", "Epsilon"])
    );
    assert_eq!(
        sorted("asc(text(uses))"),
        Ok(vec!["gamma", "Epsilon", "delta", "alpha", "beta-ci"])
    );
    assert_eq!(
        sorted("-pinned,name"),
        Ok(vec!["alpha", "delta", "Epsilon", "beta-ci", "gamma"])
    );
    // Mixed JSON types: text ("12") before numbers; NULL metadata last.
    assert_eq!(
        sorted("asc(at(metadata,score))"),
        Ok(vec!["gamma", "beta-ci", "alpha", "Epsilon", "delta"])
    );
    assert_eq!(
        sorted("asc(float(at(metadata,score)))"),
        Ok(vec!["beta-ci", "gamma", "alpha", "Epsilon", "delta"])
    );
}

#[test]
fn compare_reports_ties_and_errors() {
    let fixture = rows();
    let (alpha, gamma) = (&fixture[0], &fixture[2]);
    let by_kind = parse_sort("kind");
    assert_eq!(
        by_kind.as_ref().map(|s| s.compare(alpha, gamma)),
        Ok(Ok(Ordering::Equal))
    );
    let by_kind_then_uses = parse_sort("kind,-uses");
    assert_eq!(
        by_kind_then_uses.map(|s| s.compare(alpha, gamma)),
        Ok(Ok(Ordering::Less))
    );
    assert_eq!(
        sorted("asc(int(name))"),
        Err("int() cannot read \"alpha\" (the value of name)".to_owned())
    );
    assert_eq!(
        sorted("asc(missing)"),
        Err("unknown field 'missing'".to_owned())
    );
}

#[test]
fn sort_builders_enforce_the_term_limit() -> Result<(), Box<dyn std::error::Error>> {
    let name = Operand::field("name")?;
    let nine = vec![SortTerm::asc(name.clone()); 9];
    assert_eq!(Sort::new(nine), Err(SortError::TooManyTerms { count: 9 }));
    assert_eq!(Sort::new(Vec::new()), Err(SortError::Empty));
    let mut sort = Sort::by(SortTerm::desc(name.clone()));
    for _ in 1..8 {
        sort = sort.then(SortTerm::asc(name.clone()))?;
    }
    assert_eq!(sort.terms().len(), 8);
    assert_eq!(
        sort.then(SortTerm::asc(name)).map(|s| s.terms().len()),
        Err(SortError::TooManyTerms { count: 9 })
    );
    Ok(())
}
