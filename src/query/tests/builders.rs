//! The helpers the UI builds filters with.

use super::fixture::rows;
use crate::query::{Cast, Filter, Ident, Literal, LiteralError, Operand, text_search};

#[test]
fn and_flattens_skips_nones_and_collapses_singletons() -> Result<(), LiteralError> {
    let status = Filter::eq(Ident::new("status")?, Literal::new("active")?);
    let kind = Filter::eq(Ident::new("kind")?, Literal::new("root")?);
    let none: Option<Filter> = None;
    assert_eq!(Filter::and([none.clone(), none.clone()]), None);
    assert_eq!(Filter::and(Vec::<Filter>::new()), None);
    assert_eq!(
        Filter::and([Some(status.clone()), none.clone()]),
        Some(status.clone())
    );
    let nested = Filter::and([status.clone(), kind.clone()]);
    let flat = Filter::and([nested, None, Some(status.clone())]).map(|f| f.to_string());
    assert_eq!(
        flat,
        Some("and(eq(status,active),eq(kind,root),eq(status,active))".to_owned())
    );
    let any = Filter::or([
        Filter::or([status.clone(), kind.clone()]),
        Some(!status.clone()),
    ]);
    assert_eq!(
        any.map(|f| f.to_string()),
        Some("or(eq(status,active),eq(kind,root),not(eq(status,active)))".to_owned())
    );
    Ok(())
}

#[test]
fn every_builder_prints_its_function() -> Result<(), LiteralError> {
    let field = || Ident::new("uses");
    let v = |t: &str| Literal::new(t);
    let date = Operand::field("created_at")?.cast(Cast::Date);
    let key = Operand::field("metadata")?.at(Ident::new("score")?);
    let built = [
        Filter::eq(field()?, v("1")?),
        Filter::neq(field()?, v("1")?),
        Filter::gt(field()?, v("1")?),
        Filter::lt(field()?, v("1")?),
        Filter::gte(date.clone(), v("2026-01-01")?),
        Filter::lte(key.clone(), v("5")?),
        Filter::contains(field()?, v("4")?),
        Filter::between(field()?, v("1")?, v("9")?),
        Filter::is_null(key.clone()),
        Filter::is_not_null(date),
    ];
    let printed: Vec<String> = built.iter().map(Filter::to_string).collect();
    assert_eq!(
        printed,
        [
            "eq(uses,1)",
            "neq(uses,1)",
            "gt(uses,1)",
            "lt(uses,1)",
            "gte(date(created_at),2026-01-01)",
            "lte(at(metadata,score),5)",
            "contains(uses,4)",
            "between(uses,1,9)",
            "is_null(at(metadata,score))",
            "is_not_null(date(created_at))",
        ]
    );
    assert_eq!(Filter::in_(field()?, Vec::new()), None);
    assert_eq!(
        Filter::in_(field()?, vec![v("1")?, v("2")?]).map(|f| f.to_string()),
        Some("in(uses,1,2)".to_owned())
    );
    Ok(())
}

#[test]
fn text_search_ands_one_contains_per_word() {
    let search = |text: &str| text_search("name", text).map(|f| f.map(|f| f.to_string()));
    assert_eq!(search(""), Ok(None));
    assert_eq!(search(" \t\n "), Ok(None));
    assert_eq!(search("alp"), Ok(Some("contains(name,alp)".to_owned())));
    assert_eq!(
        search("  ci   BETA "),
        Ok(Some(
            "and(contains(name,ci),contains(name,BETA))".to_owned()
        ))
    );
    assert!(matches!(
        search("a,b"),
        Err(LiteralError::ForbiddenCharacter {
            character: ',',
            position: 1,
            ..
        })
    ));
    assert!(matches!(
        search("f(x)"),
        Err(LiteralError::ForbiddenCharacter { character: '(', .. })
    ));
    assert_eq!(
        text_search("bad name", "x"),
        Err(LiteralError::InvalidName {
            name: "bad name".to_owned()
        })
    );
    // And it finds what a person would expect on the fixture.
    let found = text_search("name", "A ci").map(|f| {
        rows()
            .iter()
            .filter(|r| f.as_ref().is_some_and(|f| f.matches(*r) == Ok(true)))
            .map(|r| r.name)
            .collect::<Vec<_>>()
    });
    assert_eq!(found, Ok(vec!["beta-ci"]));
}
