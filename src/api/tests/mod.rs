//! Native tests of the client against a scripted transport.

mod errors;
mod fake;
mod listing;
mod retry;
mod security;
