//! Shared helpers for the criterion benchmarks in `benches/benches/` and the
//! interleaved comparisons in `examples/`.

pub mod blocking;
pub mod channel;
pub mod interleaved;
pub mod mpmc;
pub mod pin;
