//! The generic discrete-event core: simulated time, an event queue and random streams.
//!
//! Nothing here knows about requests, regions or models; the world plugs its own event type
//! into [`EventQueue`].

mod queue;
mod rng;
mod time;

pub use queue::EventQueue;
pub use rng::{RngStreams, StreamId};
pub use time::SimTime;
