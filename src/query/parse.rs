//! A recursive-descent parser over the input bytes (identifiers and punctuation are ASCII;
//! literal values may hold any other character, so positions are byte offsets).
//!
//! Optional ASCII spaces (only `' '`) are accepted around every token because whether Foundry
//! allows them is unpublished; the printer never writes any.

use super::ast::{Cast, Comparison, Direction, Filter, NonEmpty, Operand, Sort, SortTerm};
use super::error::{Expected, Found, ParseError, ParseErrorKind};
use super::literal::{Ident, Literal, forbidden_reason, is_ident_continue, is_ident_start};
use super::{MAX_DEPTH, MAX_SORT_TERMS};

/// Parses a `filter` query parameter, e.g. `and(gte(created_at,2026-01-01),eq(status,active))`.
pub fn parse_filter(text: &str) -> Result<Filter, ParseError> {
    let mut parser = Parser::new(text)?;
    let filter = parser.filter()?;
    parser.finish()?;
    Ok(filter)
}

/// Parses a `sort` query parameter: canonical `desc(created_at),asc(name)` or the July 2026
/// short forms on bare fields `-created_at`, `+name`, `created_at:desc`, `created_at:asc`, `name`.
pub fn parse_sort(text: &str) -> Result<Sort, ParseError> {
    let mut parser = Parser::new(text)?;
    let mut terms = Vec::new();
    loop {
        parser.skip_spaces();
        if terms.len() == MAX_SORT_TERMS {
            return Err(parser.error(ParseErrorKind::TooManySortTerms {
                max: MAX_SORT_TERMS,
            }));
        }
        terms.push(parser.sort_term()?);
        parser.skip_spaces();
        if parser.at_end() {
            break;
        }
        if !parser.eat(b',') {
            return Err(parser.unexpected(Expected::CommaOrEnd));
        }
    }
    // The loop guarantees 1..=MAX_SORT_TERMS terms, so this cannot fail; map it anyway rather
    // than unwrap.
    Sort::new(terms).map_err(|_| {
        ParseError::new(
            text.len(),
            ParseErrorKind::TooManySortTerms {
                max: MAX_SORT_TERMS,
            },
        )
    })
}

/// How a function's arguments are described in arity errors.
const TAKES_COMPARE: &str = "2 arguments (operand, value)";
const TAKES_BETWEEN: &str = "3 arguments (operand, low, high)";
const TAKES_IN: &str = "an operand and at least one value";
const TAKES_FILTERS: &str = "at least one filter";
const TAKES_FILTER: &str = "1 filter";
const TAKES_OPERAND: &str = "1 operand";
const TAKES_AT: &str = "2 arguments (operand, key)";

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Result<Self, ParseError> {
        let mut parser = Self {
            text,
            pos: 0,
            depth: 0,
        };
        parser.skip_spaces();
        if parser.at_end() {
            return Err(ParseError::new(0, ParseErrorKind::Empty));
        }
        Ok(parser)
    }

    fn finish(&mut self) -> Result<(), ParseError> {
        self.skip_spaces();
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error(ParseErrorKind::TrailingInput {
                found: self.found(),
            }))
        }
    }

    // ---- scanning -------------------------------------------------------------------------

    fn skip_spaces(&mut self) {
        while self.peek_byte() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek_byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn found(&self) -> Found {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
            .map_or(Found::End, Found::Char)
    }

    fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError::new(self.pos, kind)
    }

    fn unexpected(&self, expected: Expected) -> ParseError {
        self.error(ParseErrorKind::Unexpected {
            expected,
            found: self.found(),
        })
    }

    /// Skips spaces, then consumes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_spaces();
        if self.peek_byte() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Skips spaces, then reads an identifier if one starts here.
    fn ident(&mut self) -> Option<&'a str> {
        self.skip_spaces();
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if !bytes.get(start).copied().is_some_and(is_ident_start) {
            return None;
        }
        let mut end = start + 1;
        while bytes.get(end).copied().is_some_and(is_ident_continue) {
            end += 1;
        }
        self.pos = end;
        self.text.get(start..end)
    }

    /// True if the next non-space byte is `(`, without consuming anything.
    fn opens_call(&self) -> bool {
        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        rest.iter().find(|b| **b != b' ') == Some(&b'(')
    }

    // ---- calls ----------------------------------------------------------------------------

    fn open(&mut self) -> Result<(), ParseError> {
        if !self.eat(b'(') {
            return Err(self.unexpected(Expected::OpenParen));
        }
        if self.depth >= MAX_DEPTH {
            // Point at the '(' that went one level too deep.
            return Err(ParseError::new(
                self.pos - 1,
                ParseErrorKind::TooDeep { max: MAX_DEPTH },
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// Before a required argument: a `)` here means the call has too few.
    fn require_arg(
        &mut self,
        function: &'static str,
        takes: &'static str,
    ) -> Result<(), ParseError> {
        self.skip_spaces();
        if self.peek_byte() == Some(b')') {
            return Err(self.arity(function, takes));
        }
        Ok(())
    }

    /// The `,` before another required argument.
    fn separator(&mut self, function: &'static str, takes: &'static str) -> Result<(), ParseError> {
        self.require_arg(function, takes)?;
        if !self.eat(b',') {
            return Err(self.unexpected(Expected::Comma));
        }
        self.require_arg(function, takes)
    }

    /// The `)` after the last argument: a `,` here means the call has too many.
    fn close(&mut self, function: &'static str, takes: &'static str) -> Result<(), ParseError> {
        self.skip_spaces();
        match self.peek_byte() {
            Some(b')') => {
                self.pos += 1;
                self.depth = self.depth.saturating_sub(1);
                Ok(())
            }
            Some(b',') => Err(self.arity(function, takes)),
            _ => Err(self.unexpected(Expected::Close)),
        }
    }

    /// After an item of a variadic list: `true` for `,` (more to come), `false` for `)`.
    fn list_continues(&mut self) -> Result<bool, ParseError> {
        if self.eat(b',') {
            return Ok(true);
        }
        if self.eat(b')') {
            self.depth = self.depth.saturating_sub(1);
            return Ok(false);
        }
        Err(self.unexpected(Expected::CommaOrClose))
    }

    fn arity(&self, function: &'static str, takes: &'static str) -> ParseError {
        self.error(ParseErrorKind::Arity {
            function,
            takes,
            found: self.found(),
        })
    }

    // ---- grammar --------------------------------------------------------------------------

    fn filter(&mut self) -> Result<Filter, ParseError> {
        self.skip_spaces();
        let start = self.pos;
        let Some(name) = self.ident() else {
            return Err(self.unexpected(Expected::Filter));
        };
        if let Some(op) = Comparison::from_name(name) {
            let function = op.name();
            self.open()?;
            self.require_arg(function, TAKES_COMPARE)?;
            let operand = self.operand()?;
            self.separator(function, TAKES_COMPARE)?;
            let value = self.value()?;
            self.close(function, TAKES_COMPARE)?;
            return Ok(Filter::Compare { op, operand, value });
        }
        match name {
            "between" => {
                self.open()?;
                self.require_arg("between", TAKES_BETWEEN)?;
                let operand = self.operand()?;
                self.separator("between", TAKES_BETWEEN)?;
                let low = self.value()?;
                self.separator("between", TAKES_BETWEEN)?;
                let high = self.value()?;
                self.close("between", TAKES_BETWEEN)?;
                Ok(Filter::Between { operand, low, high })
            }
            "in" => {
                self.open()?;
                self.require_arg("in", TAKES_IN)?;
                let operand = self.operand()?;
                self.separator("in", TAKES_IN)?;
                let mut values = NonEmpty::one(self.value()?);
                while self.list_continues()? {
                    values.push(self.value()?);
                }
                Ok(Filter::In { operand, values })
            }
            "and" | "or" => {
                let function = if name == "and" { "and" } else { "or" };
                self.open()?;
                self.require_arg(function, TAKES_FILTERS)?;
                let mut items = NonEmpty::one(self.filter()?);
                while self.list_continues()? {
                    items.push(self.filter()?);
                }
                Ok(if function == "and" {
                    Filter::And(items)
                } else {
                    Filter::Or(items)
                })
            }
            "not" => {
                self.open()?;
                self.require_arg("not", TAKES_FILTER)?;
                let inner = self.filter()?;
                self.close("not", TAKES_FILTER)?;
                Ok(Filter::Not(Box::new(inner)))
            }
            "is_null" | "is_not_null" => {
                let function = if name == "is_null" {
                    "is_null"
                } else {
                    "is_not_null"
                };
                self.open()?;
                self.require_arg(function, TAKES_OPERAND)?;
                let operand = self.operand()?;
                self.close(function, TAKES_OPERAND)?;
                Ok(if function == "is_null" {
                    Filter::IsNull(operand)
                } else {
                    Filter::IsNotNull(operand)
                })
            }
            _ if self.opens_call() => Err(ParseError::new(
                start,
                ParseErrorKind::UnknownFunction {
                    name: name.to_owned(),
                    expected: Expected::Filter,
                },
            )),
            // A bare name where a filter belongs, e.g. a field alone.
            _ => Err(ParseError::new(
                start,
                ParseErrorKind::Unexpected {
                    expected: Expected::Filter,
                    found: Found::Word(name.to_owned()),
                },
            )),
        }
    }

    fn operand(&mut self) -> Result<Operand, ParseError> {
        self.skip_spaces();
        let start = self.pos;
        let Some(name) = self.ident() else {
            return Err(self.unexpected(Expected::Operand));
        };
        if !self.opens_call() {
            return Ok(Operand::Field(Ident::from_scanned(name)));
        }
        if name == "at" {
            self.open()?;
            self.require_arg("at", TAKES_AT)?;
            let inner = self.operand()?;
            self.separator("at", TAKES_AT)?;
            let Some(key) = self.ident() else {
                return Err(self.unexpected(Expected::Key));
            };
            let key = Ident::from_scanned(key);
            self.close("at", TAKES_AT)?;
            return Ok(Operand::At(Box::new(inner), key));
        }
        if let Some(cast) = Cast::from_name(name) {
            self.open()?;
            self.require_arg(cast.name(), TAKES_OPERAND)?;
            let inner = self.operand()?;
            self.close(cast.name(), TAKES_OPERAND)?;
            return Ok(Operand::Cast(cast, Box::new(inner)));
        }
        Err(ParseError::new(
            start,
            ParseErrorKind::UnknownFunction {
                name: name.to_owned(),
                expected: Expected::Operand,
            },
        ))
    }

    /// A bare literal: everything up to the next `,` `(` `)`, whitespace or control character.
    fn value(&mut self) -> Result<Literal, ParseError> {
        self.skip_spaces();
        let start = self.pos;
        let rest = self.text.get(start..).unwrap_or_default();
        let len = rest
            .char_indices()
            .find(|(_, c)| forbidden_reason(*c).is_some())
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            return Err(self.unexpected(Expected::Value));
        }
        self.pos = start + len;
        Ok(Literal::from_scanned(rest.get(..len).unwrap_or_default()))
    }

    /// The operand of a short sort term. Foundry documents the short forms on bare fields only
    /// (`-created_at`, `name:desc`); `at(..)` and casts need `asc(..)` or `desc(..)`, and the
    /// double must not answer what the API is not known to.
    fn bare_field(&mut self) -> Result<Operand, ParseError> {
        self.skip_spaces();
        let start = self.pos;
        match self.operand()? {
            field @ Operand::Field(_) => Ok(field),
            _ => Err(ParseError::new(start, ParseErrorKind::ShortSortTerm)),
        }
    }

    fn sort_term(&mut self) -> Result<SortTerm, ParseError> {
        self.skip_spaces();
        if self.eat(b'-') {
            return Ok(SortTerm::desc(self.bare_field()?));
        }
        if self.eat(b'+') {
            return Ok(SortTerm::asc(self.bare_field()?));
        }
        let start = self.pos;
        if let Some(direction) = self.ident().and_then(Direction::from_name)
            && self.opens_call()
        {
            let function = direction.name();
            self.open()?;
            self.require_arg(function, TAKES_OPERAND)?;
            let operand = self.operand()?;
            self.close(function, TAKES_OPERAND)?;
            return Ok(SortTerm { direction, operand });
        }
        // Not asc(..)/desc(..): `asc` or `desc` alone is a field of that name.
        self.pos = start;
        if !self
            .text
            .as_bytes()
            .get(start)
            .copied()
            .is_some_and(is_ident_start)
        {
            return Err(self.unexpected(Expected::SortTerm));
        }
        let operand = self.bare_field()?;
        if !self.eat(b':') {
            return Ok(SortTerm::asc(operand));
        }
        self.skip_spaces();
        let at = self.pos;
        match self.ident() {
            Some(word) => Direction::from_name(word)
                .map(|direction| SortTerm { direction, operand })
                .ok_or_else(|| {
                    ParseError::new(
                        at,
                        ParseErrorKind::Unexpected {
                            expected: Expected::Direction,
                            found: Found::Word(word.to_owned()),
                        },
                    )
                }),
            None => Err(self.unexpected(Expected::Direction)),
        }
    }
}
