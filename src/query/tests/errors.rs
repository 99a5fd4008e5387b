//! Bad input gives a positioned error that says what was expected and what was found.

use crate::query::{Expected, Found, ParseError, ParseErrorKind, parse_filter, parse_sort};

fn unexpected(position: usize, expected: Expected, found: Found) -> ParseError {
    ParseError {
        position,
        kind: ParseErrorKind::Unexpected { expected, found },
    }
}

fn arity(position: usize, function: &'static str, takes: &'static str, found: Found) -> ParseError {
    ParseError {
        position,
        kind: ParseErrorKind::Arity {
            function,
            takes,
            found,
        },
    }
}

fn short(position: usize) -> ParseError {
    ParseError {
        position,
        kind: ParseErrorKind::ShortSortTerm,
    }
}

fn unknown(position: usize, name: &str, expected: Expected) -> ParseError {
    ParseError {
        position,
        kind: ParseErrorKind::UnknownFunction {
            name: name.to_owned(),
            expected,
        },
    }
}

const TWO: &str = "2 arguments (operand, value)";

#[test]
fn filter_errors_point_at_the_problem() {
    use Found::{Char, End, Word};
    let cases = [
        (
            "",
            ParseError {
                position: 0,
                kind: ParseErrorKind::Empty,
            },
        ),
        (
            "   ",
            ParseError {
                position: 0,
                kind: ParseErrorKind::Empty,
            },
        ),
        (
            "in(status,a,b x)",
            unexpected(14, Expected::CommaOrClose, Char('x')),
        ),
        (
            "and(eq(a,1) x)",
            unexpected(12, Expected::CommaOrClose, Char('x')),
        ),
        ("eq(status,active", unexpected(16, Expected::Close, End)),
        ("eq(status,a b)", unexpected(12, Expected::Close, Char('b'))),
        // Byte positions: 'é' takes two bytes.
        ("eq(a,é b)", unexpected(8, Expected::Close, Char('b'))),
        ("eq(a,\u{1})", unexpected(5, Expected::Value, Char('\u{1}'))),
        (
            "eq(status,f(x))",
            unexpected(11, Expected::Close, Char('(')),
        ),
        ("eq status", unexpected(3, Expected::OpenParen, Char('s'))),
        ("eq(,x)", unexpected(3, Expected::Operand, Char(','))),
        ("eq(1a,x)", unexpected(3, Expected::Operand, Char('1'))),
        (
            "eq(at(meta,1x),1)",
            unexpected(11, Expected::Key, Char('1')),
        ),
        (
            "status",
            unexpected(0, Expected::Filter, Word("status".into())),
        ),
        ("  (", unexpected(2, Expected::Filter, Char('('))),
        ("foo(a,1)", unknown(0, "foo", Expected::Filter)),
        ("EQ(a,1)", unknown(0, "EQ", Expected::Filter)),
        ("at(a,b)", unknown(0, "at", Expected::Filter)),
        ("not(date(a))", unknown(4, "date", Expected::Filter)),
        ("eq(dat (x),1)", unknown(3, "dat", Expected::Operand)),
        ("eq()", arity(3, "eq", TWO, Char(')'))),
        ("eq(a)", arity(4, "eq", TWO, Char(')'))),
        ("eq(a,)", arity(5, "eq", TWO, Char(')'))),
        ("eq(a,b,c)", arity(6, "eq", TWO, Char(','))),
        (
            "between(a,1)",
            arity(11, "between", "3 arguments (operand, low, high)", Char(')')),
        ),
        (
            "between(a,1,2,3)",
            arity(13, "between", "3 arguments (operand, low, high)", Char(',')),
        ),
        (
            "not(eq(a,1),eq(b,2))",
            arity(11, "not", "1 filter", Char(',')),
        ),
        ("and()", arity(4, "and", "at least one filter", Char(')'))),
        ("or( )", arity(4, "or", "at least one filter", Char(')'))),
        (
            "in(status)",
            arity(9, "in", "an operand and at least one value", Char(')')),
        ),
        ("is_null(a,b)", arity(9, "is_null", "1 operand", Char(','))),
        (
            "eq(at(a),1)",
            arity(7, "at", "2 arguments (operand, key)", Char(')')),
        ),
        ("eq(int(a,b),1)", arity(8, "int", "1 operand", Char(','))),
        (
            "eq(status,active)x",
            ParseError {
                position: 17,
                kind: ParseErrorKind::TrailingInput { found: Char('x') },
            },
        ),
        (
            "eq(status,active) )",
            ParseError {
                position: 18,
                kind: ParseErrorKind::TrailingInput { found: Char(')') },
            },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_filter(input), Err(expected), "{input:?}");
    }
}

#[test]
fn messages_read_well() {
    let message = |text: &str| parse_filter(text).map_err(|e| e.to_string());
    assert_eq!(
        message("in(status,a,b x)"),
        Err("at position 14: expected ',' or ')' but found 'x'".to_owned())
    );
    assert_eq!(
        message("between(a,1)"),
        Err(
            "at position 11: 'between' takes 3 arguments (operand, low, high), but found ')'"
                .to_owned()
        )
    );
    assert_eq!(
        message("eq(status,active"),
        Err("at position 16: expected ')' but found the end of the input".to_owned())
    );
    assert!(
        matches!(message("foo(x)"), Err(m) if m.starts_with("at position 0: unknown function 'foo': expected a filter function (eq, neq"))
    );
}

#[test]
fn nesting_is_bounded() {
    // 32 levels parse: 31 not( around one eq(.
    let deepest = format!("{}eq(a,1){}", "not(".repeat(31), ")".repeat(31));
    assert_eq!(parse_filter(&deepest).map(|f| f.depth()), Ok(32));
    // The 33rd '(' is refused where it stands: after 32 "not(" of 4 bytes, the one of "eq(".
    let too_deep = format!("{}eq(a,1){}", "not(".repeat(32), ")".repeat(32));
    assert_eq!(
        parse_filter(&too_deep),
        Err(ParseError {
            position: 130,
            kind: ParseErrorKind::TooDeep { max: 32 },
        })
    );
    // Operands count too: 31 casts inside eq( make 32 levels, the at( inside is the 33rd.
    let deep_operand = format!("eq({}at(a,k){},1)", "int(".repeat(31), ")".repeat(31));
    assert_eq!(
        parse_filter(&deep_operand).map_err(|e| e.kind),
        Err(ParseErrorKind::TooDeep { max: 32 })
    );
    // Hostile input far beyond the bound fails quickly instead of overflowing the stack.
    let hostile = "and(".repeat(100_000);
    assert_eq!(
        parse_filter(&hostile).map_err(|e| e.position),
        Err(32 * 4 + 3)
    );
}

#[test]
fn sort_errors_point_at_the_problem() {
    use Found::{Char, End};
    let cases = [
        (
            "",
            ParseError {
                position: 0,
                kind: ParseErrorKind::Empty,
            },
        ),
        ("asc(a),", unexpected(7, Expected::SortTerm, End)),
        (
            "asc(a) desc(b)",
            unexpected(7, Expected::CommaOrEnd, Char('d')),
        ),
        (
            "asc(a):desc",
            unexpected(6, Expected::CommaOrEnd, Char(':')),
        ),
        (
            "a:up",
            unexpected(2, Expected::Direction, Found::Word("up".into())),
        ),
        ("a:", unexpected(2, Expected::Direction, End)),
        ("-", unexpected(1, Expected::Operand, End)),
        ("--a", unexpected(1, Expected::Operand, Char('-'))),
        ("-a:desc", unexpected(2, Expected::CommaOrEnd, Char(':'))),
        (",a", unexpected(0, Expected::SortTerm, Char(','))),
        // The short forms are published for bare fields only.
        ("-date(at(metadata,start_date))", short(1)),
        ("+ at(metadata,score)", short(2)),
        ("name,at(metadata,score):desc", short(5)),
        ("text(name)", short(0)),
        ("asc()", arity(4, "asc", "1 operand", Char(')'))),
        ("desc(a,b)", arity(6, "desc", "1 operand", Char(','))),
        ("upper(a)", unknown(0, "upper", Expected::Operand)),
        (
            "a,a,a,a,a,a,a,a,a",
            ParseError {
                position: 16,
                kind: ParseErrorKind::TooManySortTerms { max: 8 },
            },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_sort(input), Err(expected), "{input:?}");
    }
}
