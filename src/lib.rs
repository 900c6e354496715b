//! # meridian
//!
//! A discrete-event simulator and capacity planner for globally deployed LLM/GenAI APIs.
//!
//! Data flows one way:
//!
//! ```text
//!  scenario (TOML) ──validate──▶ Scenario ──build──▶ World ──events──▶ Metrics ──▶ Report
//!        ▲                          │                 │ ▲
//!  catalog (models/) ───────────────┘                 ▼ │
//!                                                   engine (time, event queue, RNG streams)
//! ```
//!
//! * [`engine`] knows simulated time, an event queue with FIFO ties and seeded random
//!   streams; nothing about LLMs or regions.
//! * [`catalog`] loads the real reference data in `models/`.
//! * [`scenario`] parses and validates the user's TOML into typed values.
//! * [`world`] holds users, network, regions and serving, and reacts to events.
//! * [`routing`] picks the region for each request.
//! * [`metrics`] collects streaming, mergeable statistics.
//! * [`charts`] draws results (and, later, plans) as PNG and SVG charts.
//! * [`report`] turns results into the terminal summary and the JSON document.
//! * [`run`] ties it together: replications in parallel, merged deterministically.
//! * [`compare`] checks a result document against a baseline (`meridian check`).
//! * [`calibrate`] fits serving profiles to benchmark rows and checks them by simulation.
//! * [`workload`] reads request traces, measures them and fits token distributions.
//! * [`comparison`] runs several scenarios and sets them side by side (`meridian compare`).

pub mod calibrate;
pub mod catalog;
pub mod charts;
pub mod cli;
pub mod compare;
pub mod comparison;
pub mod engine;
pub mod metrics;
pub mod plan;
pub mod report;
pub mod routing;
pub mod run;
pub mod scenario;
pub mod workload;
pub mod world;
