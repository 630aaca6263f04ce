//! Pinning benchmark threads to cores, so that a figure with two threads
//! says where they ran: on a two-core machine an unpinned owner/thief pair
//! is sometimes on one core (taking turns: no cache line ever moves) and
//! sometimes on two, and the figures are bimodal.

use std::sync::OnceLock;

/// The cores this process may use, read once, before any thread is
/// pinned: `core_affinity::get_core_ids` lists the calling thread's cores,
/// and a thread spawned by a pinned one inherits its single core.
fn cores() -> &'static [core_affinity::CoreId] {
    static CORES: OnceLock<Vec<core_affinity::CoreId>> = OnceLock::new();
    CORES.get_or_init(|| core_affinity::get_core_ids().expect("the cores this process may use"))
}

/// Where a benchmark's threads run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Thread 0 on the first core, the others on the other cores in turn
    /// (all on the first when there is only one).
    Cross,
    /// Every thread on the first core.
    Same,
}

/// Pins the calling thread, thread `index` of a benchmark, as `placement`
/// says. Call [`read_cores`] on an unpinned thread first: the main thread,
/// before it spawns pinned ones.
///
/// # Panics
///
/// If the system refuses.
pub fn pin(placement: Placement, index: usize) {
    let cores = cores();
    let core = match placement {
        Placement::Cross if cores.len() > 1 && index > 0 => {
            cores[1 + (index - 1) % (cores.len() - 1)]
        }
        _ => cores[0],
    };
    assert!(
        core_affinity::set_for_current(core),
        "could not pin to {core:?}"
    );
}

/// Reads the core list on this (unpinned) thread, for later [`pin`]s.
pub fn read_cores() {
    cores();
}
