//! Integration tests: one binary, one file per concern.

mod accounting;
mod support;
