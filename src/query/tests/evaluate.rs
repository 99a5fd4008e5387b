//! Every operator and cast evaluated on the fixture, with exact expected rows.

use super::fixture::{FIELDS, matching, rows};
use crate::query::{EvalError, parse_filter, parse_sort};

fn check(cases: &[(&str, &[&str])]) {
    for (filter, expected) in cases {
        assert_eq!(matching(filter), Ok(expected.to_vec()), "{filter}");
    }
}

#[test]
fn comparisons_are_typed_by_the_field() {
    check(&[
        ("eq(status,active)", &["alpha", "beta-ci", "Epsilon"]),
        ("neq(status,active)", &["gamma", "delta"]),
        // Time fields compare as time; a bare date is midnight UTC.
        (
            "gt(created_at,2026-01-01)",
            &["alpha", "beta-ci", "delta", "Epsilon"],
        ),
        ("lt(created_at,2026-01-01)", &["gamma"]),
        ("eq(created_at,2026-01-01T11:00:00+01:00)", &["alpha"]),
        // Numbers as numbers, not text ("100" < "42" as text).
        ("gte(uses,42)", &["alpha", "Epsilon"]),
        ("lte(uses,7)", &["beta-ci", "gamma", "delta"]),
        ("eq(uses,42.0)", &["alpha"]),
        // Booleans, any case.
        ("eq(pinned,TRUE)", &["alpha", "delta"]),
        ("neq(pinned,true)", &["beta-ci", "gamma", "Epsilon"]),
        // Text byte-wise: upper case sorts before lower case.
        ("lt(name,b)", &["alpha", "Epsilon"]),
    ]);
}

#[test]
fn contains_is_case_insensitive_on_the_text_form() {
    check(&[
        ("contains(name,ALP)", &["alpha"]),
        ("contains(name,-)", &["beta-ci"]),
        ("contains(created_at,2026-01-01T)", &["alpha", "delta"]),
        ("contains(uses,0)", &["gamma", "Epsilon"]),
        ("contains(attenuation_spec,READ)", &["beta-ci", "delta"]),
        ("contains(token_type,_)", &["Epsilon"]),
    ]);
}

#[test]
fn between_is_inclusive_and_in_is_any_equal() {
    check(&[
        ("between(uses,3,42)", &["alpha", "beta-ci", "delta"]),
        (
            "between(created_at,2026-01-01,2026-02-15T08:30:00Z)",
            &["alpha", "beta-ci", "delta"],
        ),
        ("between(uses,42,3)", &[]),
        ("in(status,revoked,expired)", &["gamma", "delta"]),
        ("in(uses,7,100,5)", &["beta-ci", "Epsilon"]),
        ("in(token_type,admin)", &["alpha"]),
    ]);
}

#[test]
fn logic_and_nulls_follow_sql() {
    check(&[
        (
            "and(eq(kind,root),eq(status,active))",
            &["alpha", "Epsilon"],
        ),
        ("and(eq(kind,root))", &["alpha", "gamma", "Epsilon"]),
        ("or(eq(name,gamma),eq(name,delta))", &["gamma", "delta"]),
        ("not(eq(kind,root))", &["beta-ci", "delta"]),
        ("is_null(expires_at)", &["gamma", "Epsilon"]),
        ("is_not_null(revoked_at)", &["gamma"]),
        // neq with NULL is unknown, not true.
        ("neq(token_type,admin)", &["gamma", "Epsilon"]),
        // not(unknown) is unknown: NULL expiries stay out.
        ("not(lt(expires_at,2026-07-01))", &["alpha"]),
        (
            "or(is_null(expires_at),gt(expires_at,2026-07-01))",
            &["alpha", "gamma", "Epsilon"],
        ),
        // unknown or true is true; unknown and false is false.
        ("or(gt(expires_at,2030-01-01),eq(name,gamma))", &["gamma"]),
        (
            "not(and(gt(expires_at,2030-01-01),eq(name,gamma)))",
            &["alpha", "beta-ci", "delta", "Epsilon"],
        ),
        ("in(token_type,admin,user)", &["alpha", "gamma"]),
        (
            "between(expires_at,2020-01-01,2030-01-01)",
            &["alpha", "beta-ci", "delta"],
        ),
        ("contains(token_type,U)", &["gamma", "Epsilon"]),
    ]);
}

#[test]
fn at_reads_json_keys_as_typed_values() {
    check(&[
        ("eq(at(metadata,score),42)", &["alpha"]),
        // gamma's score is the JSON string "12", so it compares as text: "12" < "8".
        ("lt(at(metadata,score),8)", &["beta-ci", "gamma"]),
        ("eq(at(attenuation_spec,read_only),true)", &["beta-ci"]),
        ("eq(at(metadata,label),Prod)", &["alpha"]),
        // Missing keys and a NULL object are NULL.
        (
            "is_null(at(metadata,start_date))",
            &["beta-ci", "gamma", "delta"],
        ),
        // A key into an array is NULL too (PostgreSQL's `->` with a text key).
        (
            "is_null(at(at(attenuation_spec,allowed_actions),x))",
            &["alpha", "beta-ci", "gamma", "delta", "Epsilon"],
        ),
        (
            "contains(at(attenuation_spec,allowed_actions),list)",
            &["beta-ci"],
        ),
    ]);
}

#[test]
fn casts_convert_the_operand_first() {
    check(&[
        // int(): JSON "12" parses, 7.5 rounds to 8.
        ("eq(int(at(metadata,score)),8)", &["beta-ci"]),
        (
            "gt(int(at(metadata,score)),10)",
            &["alpha", "gamma", "Epsilon"],
        ),
        ("eq(int(pinned),1)", &["alpha", "delta"]),
        // float(): numeric text becomes a number, so "12" now compares as 12.
        ("lt(float(at(metadata,score)),13)", &["beta-ci", "gamma"]),
        ("eq(float(uses),42)", &["alpha"]),
        // text(): the printed form, compared as text ("100" < "42").
        ("lt(text(uses),42)", &["gamma", "delta", "Epsilon"]),
        ("eq(text(created_at),2026-01-01T10:00:00Z)", &["alpha"]),
        ("eq(text(date(created_at)),2026-03-10)", &["Epsilon"]),
        ("eq(text(pinned),true)", &["alpha", "delta"]),
        // timestamp(): text to time.
        (
            "gte(timestamp(at(metadata,start_date)),2026-02-01)",
            &["alpha"],
        ),
        (
            "eq(timestamp(at(metadata,start_date)),2026-01-15T10:00:00+01:00)",
            &["Epsilon"],
        ),
        // date(): truncates the operand, and the literal with it.
        ("eq(date(created_at),2026-01-01)", &["alpha", "delta"]),
        (
            "eq(date(created_at),2026-01-01T18:00:00Z)",
            &["alpha", "delta"],
        ),
        ("eq(date(at(metadata,start_date)),2026-01-15)", &["Epsilon"]),
        ("lt(date(expires_at),2026-07-01)", &["beta-ci", "delta"]),
        ("is_null(date(expires_at))", &["gamma", "Epsilon"]),
    ]);
}

#[test]
fn type_errors_name_the_operand_and_the_literal() {
    let time = "a date or timestamp (e.g. 2026-01-01 or 2026-01-01T00:00:00Z)";
    let cases = [
        (
            "gt(created_at,banana)",
            EvalError::LiteralMismatch {
                operand: "created_at".into(),
                literal: "banana".into(),
                expected: time,
            },
        ),
        (
            "eq(uses,many)",
            EvalError::LiteralMismatch {
                operand: "uses".into(),
                literal: "many".into(),
                expected: "a number",
            },
        ),
        (
            "eq(uses,NaN)",
            EvalError::LiteralMismatch {
                operand: "uses".into(),
                literal: "NaN".into(),
                expected: "a number",
            },
        ),
        (
            "eq(pinned,yes)",
            EvalError::LiteralMismatch {
                operand: "pinned".into(),
                literal: "yes".into(),
                expected: "true or false",
            },
        ),
        (
            "eq(date(created_at),soon)",
            EvalError::LiteralMismatch {
                operand: "date(created_at)".into(),
                literal: "soon".into(),
                expected: time,
            },
        ),
        (
            "eq(nope,1)",
            EvalError::UnknownField {
                field: "nope".into(),
            },
        ),
        (
            "eq(date(uses),2026-01-01)",
            EvalError::CastNotApplicable {
                cast: "date",
                operand: "uses".into(),
                kind: "a number",
            },
        ),
        (
            "eq(int(name),1)",
            EvalError::CastFailed {
                cast: "int",
                operand: "name".into(),
                value: "alpha".into(),
            },
        ),
        (
            "eq(at(name,x),1)",
            EvalError::NotJson {
                operand: "name".into(),
                kind: "text",
            },
        ),
        (
            "gt(attenuation_spec,1)",
            EvalError::NotComparable {
                operand: "attenuation_spec".into(),
                op: "gt",
                kind: "a JSON object",
            },
        ),
        // No short-circuit: the bad literal is reported although the first branch is false.
        (
            "and(eq(name,nobody),gt(uses,lots))",
            EvalError::LiteralMismatch {
                operand: "uses".into(),
                literal: "lots".into(),
                expected: "a number",
            },
        ),
    ];
    for (text, expected) in cases {
        let filter = parse_filter(text);
        let first_error = filter.map(|f| rows().iter().find_map(|r| f.matches(r).err()));
        assert_eq!(first_error, Ok(Some(expected)), "{text}");
    }
    assert_eq!(
        matching("gt(created_at,banana)"),
        Err(format!(
            "'banana' is not {time}, so it cannot be compared with created_at"
        ))
    );
}

#[test]
fn validate_checks_field_names_before_any_row() {
    let ok = parse_filter("and(eq(status,active),gt(date(at(metadata,k)),2026-01-01))");
    assert_eq!(ok.map(|f| f.validate(FIELDS)), Ok(Ok(())));
    let bad = parse_filter("or(eq(status,active),not(is_null(int(at(bogus,k)))))");
    assert_eq!(
        bad.map(|f| f.validate(FIELDS)),
        Ok(Err(EvalError::UnknownField {
            field: "bogus".into()
        }))
    );
    let sort = parse_sort("desc(created_at),asc(at(nope,x))");
    assert_eq!(
        sort.map(|s| s.validate(FIELDS)),
        Ok(Err(EvalError::UnknownField {
            field: "nope".into()
        }))
    );
    assert_eq!(
        parse_sort("-created_at,name").map(|s| s.validate(FIELDS)),
        Ok(Ok(()))
    );
}
