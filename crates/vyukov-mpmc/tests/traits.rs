//! Compile-time facts: `Send`/`Sync` follow `T: Send`, as for crossbeam's
//! `ArrayQueue`; unwind safety too.
#![cfg(not(vyukov_mpmc_loom))]

use std::cell::Cell;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::rc::Rc;

use static_assertions::{assert_impl_all, assert_not_impl_any};
use vyukov_mpmc::{ArrayQueue, ClosableQueue, IntoIter, Pop, PushError};

// `T: Send` is all a queue needs to be shared: values move, never shared.
assert_impl_all!(ArrayQueue<u64>: Send, Sync, UnwindSafe, RefUnwindSafe);
assert_impl_all!(ArrayQueue<Cell<u64>>: Send, Sync);
assert_impl_all!(ArrayQueue<Box<dyn Send>>: Send, Sync);
assert_impl_all!(ClosableQueue<u64>: Send, Sync, UnwindSafe, RefUnwindSafe);
assert_impl_all!(ClosableQueue<Cell<u64>>: Send, Sync);
assert_impl_all!(IntoIter<u64>: Send, Sync);

// Not `Send` values make neither `Send` nor `Sync` queues.
assert_not_impl_any!(ArrayQueue<Rc<u64>>: Send, Sync);
assert_not_impl_any!(ClosableQueue<Rc<u64>>: Send, Sync);
assert_not_impl_any!(IntoIter<Rc<u64>>: Send, Sync);

// The queue is a plain container: not Clone, not Copy.
assert_not_impl_any!(ArrayQueue<u64>: Clone, Copy);

// Results are ordinary values.
assert_impl_all!(PushError<u64>: Send, Sync, Copy, Eq, std::error::Error);
assert_impl_all!(Pop<u64>: Send, Sync, Copy, Eq, std::fmt::Debug);

#[test]
fn facts_hold() {
    // The assertions above are checked at compile time.
}
