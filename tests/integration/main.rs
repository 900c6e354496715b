//! Integration tests: one binary, one file per concern.

mod accounting;
mod bad_input;
mod charts;
mod check;
mod cli;
mod compare;
mod csv_formats;
mod determinism;
mod fidelity;
mod frontends;
mod guards;
mod managed;
mod plan;
mod plan_charts;
mod progress;
mod properties;
mod residency;
mod schema;
mod support;
mod terminal;
mod topologies;
mod trace;
mod validation;
