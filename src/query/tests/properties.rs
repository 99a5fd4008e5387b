//! Property tests: the parsers never panic on any input and report positions inside it, and
//! every tree prints as text that parses back to the same tree, also inside a list request.

use crate::query::literal::forbidden_reason;
use crate::query::{
    Cast, Comparison, Direction, Filter, Ident, Literal, NonEmpty, Operand, Sort, SortTerm,
    parse_filter, parse_sort,
};
use proptest::prelude::*;

const CASES: u32 = 10_000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // Failures are reported with their minimal input; no files in the source tree.
        failure_persistence: None,
        // ChaCha, the default, is ten times slower in an unoptimised test build.
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

/// Text built from the grammar's own words, so the parser gets deep into it.
fn grammarish() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("eq(".to_owned()),
        Just("and(".to_owned()),
        Just("or(".to_owned()),
        Just("not(".to_owned()),
        Just("in(".to_owned()),
        Just("between(".to_owned()),
        Just("is_null(".to_owned()),
        Just("at(".to_owned()),
        Just("date(".to_owned()),
        Just("asc(".to_owned()),
        Just("desc(".to_owned()),
        Just(",".to_owned()),
        Just(")".to_owned()),
        Just(" ".to_owned()),
        Just("-".to_owned()),
        Just("+".to_owned()),
        Just(":".to_owned()),
        Just(":desc".to_owned()),
        chars_from("abcdez_019", 1..6),
        chars_from("é\u{1}\t(),", 1..2),
    ];
    prop::collection::vec(word, 0..24).prop_map(|words| words.concat())
}

/// Strings of `len` characters drawn from `alphabet`. Built from `select` rather than a regex
/// strategy: proptest compiles a `&str` regex again for every case, which made these tests
/// ten times slower.
fn chars_from(
    alphabet: &str,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = String> + use<> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    prop::collection::vec(prop::sample::select(alphabet), len).prop_map(String::from_iter)
}

/// Any characters at all, controls and multi-byte ones included.
fn any_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..48).prop_map(String::from_iter)
}

fn check_parsers(text: &str) -> Result<(), TestCaseError> {
    match parse_filter(text) {
        Ok(filter) => {
            // Whatever parses prints canonically and parses back to the same tree.
            let printed = filter.to_string();
            prop_assert!(!printed.contains(' '));
            prop_assert_eq!(parse_filter(&printed), Ok(filter));
        }
        Err(e) => prop_assert!(e.position <= text.len(), "{e} for {text:?}"),
    }
    match parse_sort(text) {
        Ok(sort) => {
            let printed = sort.to_string();
            prop_assert!(!printed.contains(' '));
            prop_assert_eq!(parse_sort(&printed), Ok(sort));
        }
        Err(e) => prop_assert!(e.position <= text.len(), "{e} for {text:?}"),
    }
    Ok(())
}

fn ident() -> impl Strategy<Value = Ident> {
    // Includes names that are also function names: they must stay fields when printed.
    const START: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    const REST: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
    prop_oneof![
        (chars_from(START, 1..2), chars_from(REST, 0..8)).prop_map(|(a, b)| a + &b),
        Just("date".to_owned()),
        Just("asc".to_owned()),
        Just("eq".to_owned()),
        Just("at".to_owned()),
    ]
    .prop_filter_map("not an identifier", |name| Ident::new(&name).ok())
}

fn literal() -> impl Strategy<Value = Literal> {
    // Any character the grammar can carry; the forbidden ones become '_'.
    let carried = any::<char>().prop_map(|c| {
        if forbidden_reason(c).is_some() {
            '_'
        } else {
            c
        }
    });
    prop_oneof![
        prop::collection::vec(carried, 1..12).prop_map(String::from_iter),
        Just("2026-01-01T00:00:00Z".to_owned()),
        Just("-42.5".to_owned()),
        Just("a:b+c".to_owned()),
    ]
    .prop_filter_map("not a literal", |text| Literal::new(&text).ok())
}

fn operand() -> BoxedStrategy<Operand> {
    // prop_recursive calls the closure again for every case: build the key strategy once and
    // clone the handle, or generation dominates the run time.
    let key = ident().boxed();
    let casts = prop::sample::select(Cast::ALL.to_vec());
    key.clone()
        .prop_map(Operand::Field)
        .prop_recursive(4, 8, 1, move |inner| {
            prop_oneof![
                (inner.clone(), key.clone()).prop_map(|(o, key)| o.at(key)),
                (inner, casts.clone()).prop_map(|(o, cast)| o.cast(cast)),
            ]
        })
        .boxed()
}

fn non_empty<T: std::fmt::Debug>(items: Vec<T>) -> Option<NonEmpty<T>> {
    NonEmpty::new(items)
}

fn filter() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        (
            prop::sample::select(Comparison::ALL.to_vec()),
            operand(),
            literal()
        )
            .prop_map(|(op, operand, value)| Filter::Compare { op, operand, value }),
        (operand(), literal(), literal()).prop_map(|(operand, low, high)| Filter::Between {
            operand,
            low,
            high
        }),
        (operand(), prop::collection::vec(literal(), 1..4))
            .prop_filter_map("empty", |(operand, values)| non_empty(values)
                .map(|values| Filter::In { operand, values })),
        operand().prop_map(Filter::IsNull),
        operand().prop_map(Filter::IsNotNull),
    ];
    leaf.prop_recursive(5, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4)
                .prop_filter_map("empty", |items| non_empty(items).map(Filter::And)),
            prop::collection::vec(inner.clone(), 1..4)
                .prop_filter_map("empty", |items| non_empty(items).map(Filter::Or)),
            inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    })
}

fn sort() -> impl Strategy<Value = Sort> {
    let term = (
        prop::sample::select(vec![Direction::Asc, Direction::Desc]),
        operand(),
    )
        .prop_map(|(direction, operand)| SortTerm { direction, operand });
    prop::collection::vec(term, 1..=8).prop_filter_map("bad length", |terms| Sort::new(terms).ok())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_strings_never_panic(text in any_text()) {
        check_parsers(&text)?;
    }

    #[test]
    fn grammar_characters_never_panic(text in chars_from("abcdefghijklmnopqrstuvwxyz(),_ 0123456789:+-", 0..40)) {
        check_parsers(&text)?;
    }

    #[test]
    fn grammar_words_never_panic(text in grammarish()) {
        check_parsers(&text)?;
    }

    #[test]
    fn every_filter_round_trips(filter in filter()) {
        prop_assume!(filter.depth() <= crate::query::MAX_DEPTH);
        let printed = filter.to_string();
        prop_assert!(!printed.contains(' '), "{}", printed);
        prop_assert_eq!(parse_filter(&printed), Ok(filter));
    }

    #[test]
    fn every_sort_round_trips(sort in sort()) {
        let printed = sort.to_string();
        prop_assert_eq!(parse_sort(&printed), Ok(sort));
    }
}

/// `%XX` back to bytes, as a server reads a query string value.
fn percent_decoded(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// The value of `name` in a query string, decoded.
fn query_value(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .and_then(percent_decoded)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES / 5, ..config() })]

    /// What a list request sends is what the server parses back: the same trees.
    #[test]
    fn a_list_request_sends_its_trees_in_a_form_that_parses_back(
        filter in prop::option::of(filter()),
        sort in prop::option::of(sort()),
    ) {
        prop_assume!(filter.as_ref().is_none_or(|f| f.depth() <= crate::query::MAX_DEPTH));
        let query = crate::api::listing::ListQuery { filter, sort, ..Default::default() };
        let sent = query.to_query_string();
        prop_assert!(
            sent.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%=&".contains(&b)),
            "{}", sent
        );
        prop_assert_eq!(
            query_value(&sent, "filter").map(|text| parse_filter(&text)),
            query.filter.clone().map(Ok)
        );
        prop_assert_eq!(
            query_value(&sent, "sort").map(|text| parse_sort(&text)),
            query.sort.clone().map(Ok)
        );
    }
}
