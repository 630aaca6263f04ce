//! Shared helpers for the criterion benchmarks in `benches/benches/`.

pub mod channel;
pub mod mpmc;
