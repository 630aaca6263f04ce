//! The channel's one shared allocation, swapped for loom's under
//! `--cfg deque_channel_loom` so the model checker sees the last handle's
//! drop. The per-worker counters stay plain `core` atomics even then: they
//! are statistics, order nothing, and would only multiply loom's
//! interleavings.

#[cfg(deque_channel_loom)]
pub(crate) use loom::sync::Arc;
#[cfg(not(deque_channel_loom))]
pub(crate) use std::sync::Arc;
