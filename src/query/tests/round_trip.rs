//! Hand-picked texts: parse, then print the canonical form.

use crate::query::{
    Cast, Comparison, Filter, Ident, Literal, NonEmpty, Operand, parse_filter, parse_sort,
};

#[test]
fn seed_examples_round_trip_unchanged() {
    for text in [
        "and(gte(created_at,2026-01-01),eq(status,draft))",
        "eq(at(metadata,score),42)",
        "neq(id,0190a2b4-6f1c-7d2e-9a3b-4c5d6e7f8091)",
        "gt(expires_at,2026-01-01T00:00:00Z)",
        "lt(float(at(metadata,score)),0.5)",
        "lte(int(uses),10)",
        "contains(text(created_at),2026-01)",
        "gte(timestamp(at(metadata,start_date)),2026-01-01)",
        "eq(date(created_at),2026-01-01)",
        "between(created_at,2026-01-01,2026-12-31T23:59:59Z)",
        "in(status,active,expired,revoked)",
        "or(is_null(expires_at),not(is_not_null(revoked_at)))",
        "and(eq(kind,root))",
        "eq(date,2026-01-01)",
        "eq(name,ünïcödé)",
    ] {
        assert_eq!(
            parse_filter(text).map(|f| f.to_string()),
            Ok(text.to_owned())
        );
    }
    for text in [
        "desc(created_at)",
        "desc(created_at),asc(name)",
        "asc(at(metadata,score))",
        "asc(date(at(metadata,start_date)))",
    ] {
        assert_eq!(parse_sort(text).map(|s| s.to_string()), Ok(text.to_owned()));
    }
}

#[test]
fn spaces_are_accepted_around_punctuation_and_never_printed() {
    let spaced = "  and ( eq ( status , active ) , in( kind ,root, attenuated ) , not( is_null( at( metadata , k ) ) ) )  ";
    assert_eq!(
        parse_filter(spaced).map(|f| f.to_string()),
        Ok(
            "and(eq(status,active),in(kind,root,attenuated),not(is_null(at(metadata,k))))"
                .to_owned()
        )
    );
}

#[test]
fn parses_to_the_expected_tree() -> Result<(), Box<dyn std::error::Error>> {
    let expected = Filter::And(NonEmpty::one(Filter::Compare {
        op: Comparison::Lt,
        operand: Operand::Cast(
            Cast::Date,
            Box::new(Operand::At(
                Box::new(Operand::field("metadata")?),
                Ident::new("start")?,
            )),
        ),
        value: Literal::new("2026-01-01")?,
    }));
    assert_eq!(
        parse_filter("and(lt(date(at(metadata,start)),2026-01-01))")?,
        expected
    );
    Ok(())
}
