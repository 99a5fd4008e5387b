//! Tests of the grammar as a whole: a fixture of token-like rows, hand-picked cases with exact
//! expectations, and property tests.

mod builders;
mod errors;
mod evaluate;
mod fixture;
mod properties;
mod round_trip;
mod sorting;
