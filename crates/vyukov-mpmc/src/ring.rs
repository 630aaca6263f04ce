//! The ring both public queues are built on: Vyukov's bounded MPMC
//! algorithm with crossbeam's lap stamps, optionally closable.
//!
//! # Stamps
//!
//! `head`, `tail` and every slot's stamp are *stamps*: one integer that packs
//! an index into the buffer (the low bits, below `one_lap`) and a lap counter
//! (the bits from `one_lap` up). `one_lap` is the smallest power of two
//! greater than `cap`, so any capacity works (not only powers of two) and
//! `stamp + 1` never carries out of the index bits. Advancing a stamp past
//! the last index wraps the index to zero and adds one lap.
//!
//! The queue holds the values between `head` (the next to pop) and `tail`
//! (the next free slot). It is empty when `head == tail` and full when
//! `head + one_lap == tail` (same index, one lap behind). Full and empty are
//! always decided from `head` and `tail`, never from a slot stamp alone: a
//! stamp that still shows the previous lap may only mean that a consumer has
//! claimed the slot and is still moving the value out, in which case the
//! queue is *not* full and the producer waits a moment instead of failing
//! (heapless' queue got this wrong; crossbeam's and ours do not).
//!
//! # The `CLOSED` bit
//!
//! With `CLOSABLE = true` the top bit of the tail word is reserved: once set
//! ([`Ring::close`], [`Ring::close_if_full`]) no producer's
//! compare-and-swap on `tail` can succeed again, because every producer
//! compares against a tail it read *without* the bit. Closing and reserving
//! a slot are thus ordered by the one modification order of `tail`: each
//! reservation is either before the close (and its value will be popped) or
//! fails. This is the LCRQ idea (Morrison and Afek, "Fast concurrent queues
//! for x86 processors", PPoPP 2013). Laps of a closable ring wrap below that
//! bit ([`Ring::WRAP`]). With `CLOSABLE = false` all of this compiles away:
//! `WRAP` is all ones and the closed checks are `if false`.
//!
//! # Orderings
//!
//! * Slot ownership moves by the stamp: the owner's `Release` store of the
//!   next stamp pairs with the next owner's `Acquire` load of the stamp.
//!   That is all memory safety needs.
//! * Every write of `head` and `tail` under shared access is `SeqCst`, and
//!   so is every load of them, compare-and-swap failures included. "Full",
//!   "empty" and `len` are then read at one point of the single total order
//!   S of `SeqCst` operations: a `SeqCst` load follows in S the write it
//!   reads (coherence) and precedes the loads after it in the same thread.
//!   So a pop that read `head == h` and then `tail == h` saw the ring empty
//!   at the point of its tail load in S (`head` only grows and never passes
//!   `tail`), and a push that read `tail == t` and then `head + lap == t` saw
//!   it full. crossbeam gets the same from relaxed loads and a `SeqCst`
//!   fence; here, on x86, every one of these loads is a plain `mov` (only
//!   `SeqCst` *stores* and read-modify-writes cost there), where the fence
//!   is an `mfence` on every full or empty check. That check runs on every
//!   poll of an empty (or full) queue, and in our measurements the fence
//!   is most of what this ring gains on crossbeam's there. (On AArch64 the
//!   loads become `ldar` instead of `ldr` plus a `dmb` on the check.)

use alloc::boxed::Box;
use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use crossbeam_utils::CachePadded;

use crate::backoff::Backoff;
use crate::pop_batch::PopBatch;
use crate::slot::Slot;
use crate::sync::{AtomicIndex, Index, Ordering};

/// The bit of the tail word that marks a closable ring closed.
pub(crate) const CLOSED: Index = 1 << (Index::BITS - 1);

/// A bounded MPMC ring of `Slot`s; `CLOSABLE` reserves [`CLOSED`] in `tail`.
pub(crate) struct Ring<T, const CLOSABLE: bool> {
    /// The head: the stamp of the next slot to pop.
    ///
    /// Consumers claim the slot at `head` by moving `head` one step with a
    /// compare-and-swap, then move the value out. On its own cache line
    /// (`CachePadded`), so consumers and producers do not false-share.
    head: CachePadded<AtomicIndex>,

    /// The tail: the stamp of the next slot to push into, plus the
    /// [`CLOSED`] bit if `CLOSABLE`.
    ///
    /// Producers claim the slot at `tail` by moving `tail` one step with a
    /// compare-and-swap, then write the value. On its own cache line.
    tail: CachePadded<AtomicIndex>,

    /// The slots: `cap` of them, each with its stamp.
    ///
    /// A `Box<[Slot<T>]>` turned into a raw pointer (and back in `Drop`), so
    /// that reaching one slot borrows that slot only, not the whole slice:
    /// the same code, but miri's borrow trackers then check each access in
    /// constant time instead of retagging `cap` slots per operation.
    buffer: NonNull<Slot<T>>,

    /// The capacity, exactly as asked for: the number of slots.
    cap: usize,

    /// The stamp `{ lap: 1, index: 0 }`: the smallest power of two
    /// greater than `cap`.
    one_lap: Index,

    /// The ring owns the slots (and so the `T`s in them).
    _owns: PhantomData<Box<[Slot<T>]>>,
}

// SAFETY: the ring owns its values (it is a container of `T`s that moves
// them between threads), so it may be sent to another thread when `T` may.
unsafe impl<T: Send, const CLOSABLE: bool> Send for Ring<T, CLOSABLE> {}
// SAFETY: shared access only moves whole values in and out of slots, and a
// slot's value is accessed by one thread at a time (the one that won the
// head or tail compare-and-swap for it; see `Slot`). Values cross threads
// but are never shared, so `T: Send` suffices, as for a channel.
unsafe impl<T: Send, const CLOSABLE: bool> Sync for Ring<T, CLOSABLE> {}

impl<T, const CLOSABLE: bool> Ring<T, CLOSABLE> {
    /// Mask applied after adding a lap: stamps wrap below `CLOSED` in a
    /// closable ring, at the integer's width otherwise (a no-op).
    pub(crate) const WRAP: Index = if CLOSABLE { !CLOSED } else { Index::MAX };

    /// A ring of exactly `cap` slots, empty (and open).
    ///
    /// # Panics
    ///
    /// If `cap` is zero or too large for the stamp encoding.
    pub(crate) fn new(cap: usize) -> Self {
        assert!(cap > 0, "capacity must be non-zero");

        // One lap is the smallest power of two greater than `cap`, so that
        // `index + 1` of the last slot still fits the index bits.
        let one_lap = Index::try_from(cap)
            .ok()
            .and_then(|cap| cap.checked_add(1))
            .and_then(Index::checked_next_power_of_two)
            .filter(|&one_lap| !CLOSABLE || one_lap < CLOSED)
            .expect("capacity is too large");

        // Slot `i` starts empty at lap 0: stamp `{ lap: 0, index: i }`.
        // `i < cap <= Index::MAX` (checked just above), so the cast is exact.
        let buffer: Box<[Slot<T>]> = (0..cap).map(|i| Slot::new(i as Index)).collect();
        // Given back to a `Box` in `Drop`.
        let buffer = NonNull::new(Box::into_raw(buffer))
            .expect("Box::into_raw is never null")
            .cast::<Slot<T>>();

        Self {
            // Head and tail both start at `{ lap: 0, index: 0 }`: empty.
            head: CachePadded::new(AtomicIndex::new(0)),
            tail: CachePadded::new(AtomicIndex::new(0)),
            buffer,
            cap,
            one_lap,
            _owns: PhantomData,
        }
    }

    /// The capacity.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }

    /// The stamp one step after `stamp` (which must be a position, without
    /// the `CLOSED` bit): the next index, or index 0 of the next lap.
    #[inline(always)]
    pub(crate) fn next(&self, stamp: Index) -> Index {
        let index = self.index(stamp);
        if index + 1 < self.cap {
            // Same lap, incremented index.
            stamp + 1
        } else {
            // One lap forward, index wraps around to zero.
            let lap = stamp & !(self.one_lap - 1);
            lap.wrapping_add(self.one_lap) & Self::WRAP
        }
    }

    /// The buffer index of a stamp.
    #[inline(always)]
    fn index(&self, stamp: Index) -> usize {
        // The index bits are below `one_lap`, and `one_lap - 1 <= cap`, a
        // `usize`, so the cast is exact.
        (stamp & (self.one_lap - 1)) as usize
    }

    /// The slot a stamp points at.
    #[inline(always)]
    fn slot(&self, stamp: Index) -> &Slot<T> {
        let index = self.index(stamp);
        debug_assert!(index < self.cap);
        // Every stamp the ring makes has an index below `cap`: they start at
        // `0..cap`, and `next` wraps to 0 instead of reaching `cap`.
        // SAFETY: so `index < cap`, and `buffer` points to `cap` initialised
        // slots that live as long as the ring; slots are only ever shared.
        unsafe { &*self.buffer.as_ptr().add(index) }
    }

    /// The push loop shared by every kind of push.
    ///
    /// Claims the slot at `tail` and writes `value` into it. When the ring
    /// looks full (the slot at `tail` still holds last lap's value),
    /// `on_full(value, tail, new_tail, slot)` decides: `Err(e)` ends the push
    /// with `e`, `Ok(value)` retries. When the ring is closable and closed,
    /// the push ends with `Err(closed(value))`.
    #[inline(always)]
    pub(crate) fn push_with<E>(
        &self,
        mut value: T,
        closed: impl FnOnce(T) -> E,
        mut on_full: impl FnMut(T, Index, Index, &Slot<T>) -> Result<T, E>,
    ) -> Result<(), E> {
        let backoff = Backoff::new();
        // SeqCst: a point in S from which "full" can be decided (module
        // docs); pairs with the SeqCst writes of `tail`. A plain load on x86.
        let mut tail = self.tail.load(Ordering::SeqCst);

        loop {
            if CLOSABLE && tail & CLOSED != 0 {
                // Closed: no compare-and-swap below could succeed.
                return Err(closed(value));
            }

            let new_tail = self.next(tail);
            let slot = self.slot(tail);
            // Acquire: pairs with the Release store of `stamp` by the
            // consumer that emptied this slot one lap ago (in `pop`), so its
            // read of the old value is done before we write the new one.
            let stamp = slot.stamp.load(Ordering::Acquire);

            if tail == stamp {
                // The slot is empty and waits for this very tail: claim it.
                // SeqCst (both ways): a write of `tail` in S, read by the
                // SeqCst loads of `tail` in `pop`, `len`, `is_empty`; on
                // failure, a load of `tail` in S like the one above. On
                // success it is the one write that reserves the slot.
                match self.tail.compare_exchange_weak(
                    tail,
                    new_tail,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => {
                        // Only the producer that moves `tail` from this
                        // stamp may write the slot, and the stamp showed it
                        // empty (its last value was moved out, see the
                        // Acquire above).
                        // SAFETY: we won the slot, and it is empty.
                        unsafe { slot.write(value) };
                        // Release: pairs with the Acquire load of `stamp` in
                        // `pop` (and `force_push`), which then sees the value.
                        slot.stamp.store(tail + 1, Ordering::Release);
                        return Ok(());
                    }
                    Err(current) => {
                        // Lost to another producer (or, closable, to a
                        // close): retry from what we saw.
                        tail = current;
                        backoff.spin();
                    }
                }
            } else if stamp.wrapping_add(self.one_lap) & Self::WRAP == tail + 1 {
                // The slot still holds the value pushed one lap ago: the ring
                // may be full. `on_full` decides from `head`, not from this
                // stamp (a consumer may be in the middle of popping it).
                value = on_full(value, tail, new_tail, slot)?;
                backoff.spin();
                // SeqCst: as the first load of `tail`.
                tail = self.tail.load(Ordering::SeqCst);
            } else {
                // Another producer claimed this slot and has not written it
                // yet, or our `tail` is stale: wait for the stamp to move.
                backoff.snooze();
                // SeqCst: as the first load of `tail`.
                tail = self.tail.load(Ordering::SeqCst);
            }
        }
    }

    /// Whether the ring is full, given a `tail` position (without `CLOSED`)
    /// whose slot still holds last lap's value.
    #[inline]
    pub(crate) fn is_full_at(&self, tail: Index) -> bool {
        // SeqCst: reads `head` at a point of the total order of the SeqCst
        // head/tail writes; pairs with the SeqCst compare-and-swap on `head`
        // in `pop`. If the head lags one lap behind `tail` there, the ring
        // was full at that point.
        let head = self.head.load(Ordering::SeqCst);
        head.wrapping_add(self.one_lap) & Self::WRAP == tail
    }

    /// Pushes `value`, or gives it back if the ring is full (or closed).
    #[inline]
    pub(crate) fn push(&self, value: T) -> Result<(), T> {
        self.push_with(
            value,
            |value| value,
            |value, tail, _, _| {
                if self.is_full_at(tail) {
                    Err(value)
                } else {
                    Ok(value)
                }
            },
        )
    }

    /// Pops the value at `head`; when the ring is empty, `Err` with the tail
    /// word that showed it (which carries `CLOSED` if the ring is closed).
    #[inline]
    pub(crate) fn pop(&self) -> Result<T, Index> {
        let backoff = Backoff::new();
        // SeqCst: a point in S from which "empty" can be decided (module
        // docs); pairs with the SeqCst writes of `head`. A plain load on x86.
        let mut head = self.head.load(Ordering::SeqCst);

        loop {
            let slot = self.slot(head);
            // Acquire: pairs with the Release store of `stamp` in
            // `push_with` (or `force_push`): if the slot is full for our
            // head, the producer's write of the value is visible.
            let stamp = slot.stamp.load(Ordering::Acquire);

            if head + 1 == stamp {
                // The slot is full and waits for this very head: claim it.
                let new_head = self.next(head);
                // SeqCst (both ways): a write of `head` in S, read by the
                // SeqCst loads of `head` in `is_full_at`, `len`, `is_full`;
                // on failure, a load of `head` in S like the one above. On
                // success it is the one write that gives us the slot's value.
                match self.head.compare_exchange_weak(
                    head,
                    new_head,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => {
                        // Only the consumer that moves `head` from this
                        // stamp may read the slot, and the stamp (Acquire
                        // above) showed the value published.
                        // SAFETY: so `head` is claimed by this call alone.
                        return Ok(unsafe { self.take_claimed(head) });
                    }
                    Err(current) => {
                        head = current;
                        backoff.spin();
                    }
                }
            } else if stamp == head {
                // The slot has not been written for this lap. Empty only if
                // the tail says so: a producer may have claimed the slot and
                // not written it yet.
                // SeqCst: reads `tail` at a point of the total order of the
                // SeqCst head/tail writes; pairs with the SeqCst
                // compare-and-swap on `tail` in `push_with` (and the SeqCst
                // `close`/`close_if_full`).
                let tail = self.tail.load(Ordering::SeqCst);
                if tail & Self::WRAP == head {
                    return Err(tail);
                }
                backoff.spin();
                // SeqCst: as the first load of `head`.
                head = self.head.load(Ordering::SeqCst);
            } else {
                // A consumer from one lap ago is still reading this slot, or
                // our `head` is stale: wait for the stamp to move.
                backoff.snooze();
                // SeqCst: as the first load of `head`.
                head = self.head.load(Ordering::SeqCst);
            }
        }
    }

    /// Pops up to `max` values (at most `PopBatch::CAPACITY`) with one
    /// claim: the run of ready values at `head`. When not even the oldest
    /// is ready, this is one [`pop`](Ring::pop) (which waits for a producer
    /// still writing the head slot), and `Err` carries its tail word if the
    /// ring is empty. `max == 0` takes nothing (an empty batch).
    pub(crate) fn pop_batch(&self, max: usize) -> Result<PopBatch<T>, Index> {
        let mut batch = PopBatch::new();
        let (mut position, count) = self.claim_ready(max.min(PopBatch::<T>::CAPACITY));
        if count == 0 {
            if max > 0 {
                batch.push(self.pop()?);
            }
            return Ok(batch);
        }
        for _ in 0..count {
            // `claim_ready` claimed `count` slots from `position` on for
            // this call; each is taken once, stepping with `next`.
            // SAFETY: so the claim on `position` is ours, used once.
            batch.push(unsafe { self.take_claimed(position) });
            position = self.next(position);
        }
        Ok(batch)
    }

    /// Claims up to `max` values with one compare-and-swap of `head`: the
    /// run of full slots from `head` on, up to the first slot that is not
    /// (yet) full. Returns the stamp of the first claimed slot and how many
    /// were claimed; 0 when the slot at `head` is not full for it (the ring
    /// is empty, or its producer is still writing it: `pop` tells which).
    ///
    /// The caller then moves each claimed value out with
    /// [`take_claimed`](Ring::take_claimed), stepping with `next`. Until it
    /// does, the producer one lap later waits for that slot, as it waits
    /// for any consumer that is still reading.
    pub(crate) fn claim_ready(&self, max: usize) -> (Index, usize) {
        let backoff = Backoff::new();
        // SeqCst: as the first load of `head` in `pop`.
        let mut head = self.head.load(Ordering::SeqCst);
        loop {
            let (mut end, mut count) = (head, 0);
            while count < max
                // Acquire: pairs with the Release store of `stamp` in
                // `push_with` (or `force_push`): the value of every slot we
                // claim is visible to us.
                && self.slot(end).stamp.load(Ordering::Acquire) == end + 1
            {
                end = self.next(end);
                count += 1;
            }
            if count == 0 {
                return (head, 0);
            }
            // SeqCst (both ways): as the head compare-and-swap in `pop`. On
            // success no other consumer can have claimed any slot of the
            // run: each would have moved `head` past our expected value, and
            // stamps carry the lap, so `head` cannot come back to it.
            match self
                .head
                .compare_exchange_weak(head, end, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return (head, count),
                Err(current) => {
                    head = current;
                    backoff.spin();
                }
            }
        }
    }

    /// Moves the value out of the slot at `position` and frees the slot for
    /// the producer one lap later.
    ///
    /// # Safety
    ///
    /// The caller claimed `position` (it moved `head` past it, from a stamp
    /// it saw full), and takes each claimed position once.
    #[inline]
    pub(crate) unsafe fn take_claimed(&self, position: Index) -> T {
        let slot = self.slot(position);
        // The claim made us the slot's only reader, and the Acquire load of
        // its stamp before the claim showed the value published.
        // SAFETY: so the slot is ours and holds a value, read once here.
        let value = unsafe { slot.read() };
        // Release: pairs with the Acquire load of `stamp` in `push_with`
        // one lap later: our read is done before the next producer writes.
        slot.stamp.store(
            position.wrapping_add(self.one_lap) & Self::WRAP,
            Ordering::Release,
        );
        value
    }

    /// The number of values, from a consistent snapshot of head and tail.
    pub(crate) fn len(&self) -> usize {
        loop {
            // SeqCst (all three loads): a snapshot in the total order of the
            // SeqCst head/tail writes, pairing with the compare-and-swaps in
            // `push_with` and `pop`.
            let tail = self.tail.load(Ordering::SeqCst);
            let head = self.head.load(Ordering::SeqCst);

            // If the tail did not change while we read the head, the two
            // were both current at the moment of the head load, so the
            // difference is a length the ring really had: 0..=cap.
            if self.tail.load(Ordering::SeqCst) == tail {
                return self.len_of(head, tail & Self::WRAP);
            }
        }
    }

    /// The number of values between a head and a tail position.
    #[inline]
    fn len_of(&self, head: Index, tail: Index) -> usize {
        let hix = self.index(head);
        let tix = self.index(tail);
        if hix < tix {
            tix - hix
        } else if hix > tix {
            self.cap - hix + tix
        } else if tail == head {
            0
        } else {
            self.cap
        }
    }

    /// Whether the ring is empty.
    pub(crate) fn is_empty(&self) -> bool {
        // SeqCst: pairs with the SeqCst compare-and-swaps in `push_with` and
        // `pop`. If the head moves before the tail load, the ring was not
        // empty at some moment in between, so `false` is a true answer.
        let head = self.head.load(Ordering::SeqCst);
        let tail = self.tail.load(Ordering::SeqCst);
        tail & Self::WRAP == head
    }

    /// Whether the ring is full.
    pub(crate) fn is_full(&self) -> bool {
        // SeqCst: as in `is_empty`, the other way round: if the tail moves
        // before the head load, the ring was not full at some moment.
        let tail = self.tail.load(Ordering::SeqCst);
        let head = self.head.load(Ordering::SeqCst);
        head.wrapping_add(self.one_lap) & Self::WRAP == tail & Self::WRAP
    }

    /// Pops with exclusive access: no atomics contended, no waiting.
    pub(crate) fn pop_mut(&mut self) -> Option<T> {
        // `&mut self`: every push and pop has returned, and whatever gave us
        // the `&mut` (a join, a channel, ...) made their writes visible, so
        // Relaxed loads see the final values.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed) & Self::WRAP;
        if head == tail {
            return None;
        }
        let slot = self.slot(head);
        // `head != tail`, so the slot at `head` holds a value: the producer
        // that claimed it finished writing it before its push returned.
        // SAFETY: and `&mut self` means no one else can read it.
        let value = unsafe { slot.read() };
        // Keep the stamps consistent, so the ring can be shared again later.
        slot.stamp.store(
            head.wrapping_add(self.one_lap) & Self::WRAP,
            Ordering::Relaxed,
        );
        let new_head = self.next(head);
        self.head.store(new_head, Ordering::Relaxed);
        Some(value)
    }

    /// The tail word, `CLOSED` bit included.
    #[inline]
    pub(crate) fn tail_word(&self) -> Index {
        // SeqCst: pairs with the SeqCst `close`/`close_if_full` and the
        // tail compare-and-swaps; a reader that sees the bit sees a ring
        // that will never take another value.
        self.tail.load(Ordering::SeqCst)
    }

    /// Whether every value pushed has been claimed by a consumer, and no
    /// more can be pushed: closed, and `head` has caught up with `tail`.
    pub(crate) fn is_drained(&self) -> bool {
        let tail = self.tail_word();
        // SeqCst: see `is_empty`. Once closed, `tail` is frozen, so if the
        // head has reached it, it stays there.
        let head = self.head.load(Ordering::SeqCst);
        tail & CLOSED != 0 && tail & Self::WRAP == head
    }
}

impl<T> Ring<T, false> {
    /// Pushes `value`, evicting and returning the oldest value if full.
    #[inline]
    pub(crate) fn force_push(&self, value: T) -> Option<T> {
        self.push_with(
            value,
            |value| value,
            |value, tail, new_tail, slot| {
                // The slot at `tail` still holds the value pushed one lap
                // ago. If the ring is really full, `head` is exactly one lap
                // behind `tail`, at that slot: claim it as a consumer would.
                let head = tail.wrapping_sub(self.one_lap);
                let new_head = new_tail.wrapping_sub(self.one_lap);

                // SeqCst: as the head compare-and-swap in `pop`, in the total
                // order read by the full/empty loads. On success we own the
                // slot twice over: as its consumer (we moved `head` past it)
                // and as its producer (no one else can claim `tail` while
                // the slot's stamp is last lap's).
                if self
                    .head
                    .compare_exchange_weak(head, new_head, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    // SeqCst: publishes the new tail in the same total order.
                    // No other producer can have moved `tail` meanwhile: each
                    // needs this slot's stamp to equal `tail` first, and only
                    // we will change it. Pairs with the SeqCst tail loads.
                    self.tail.store(new_tail, Ordering::SeqCst);

                    // The caller's Acquire load of the stamp showed last
                    // lap's value published.
                    // SAFETY: we own the slot (see above), and it holds an
                    // initialised value.
                    let old = unsafe { slot.replace(value) };

                    // Release: pairs with the Acquire load of `stamp` in
                    // `pop`: the new value is visible to its consumer.
                    slot.stamp.store(tail + 1, Ordering::Release);
                    Err(old)
                } else {
                    // Not full after all (a consumer moved `head`), or
                    // another force-pusher won: retry.
                    Ok(value)
                }
            },
        )
        .err()
    }

    /// Pushes with exclusive access: no atomics contended, no waiting.
    pub(crate) fn push_mut(&mut self, value: T) -> Result<(), T> {
        // Relaxed: `&mut self`, see `pop_mut`.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        if head.wrapping_add(self.one_lap) == tail {
            return Err(value);
        }
        let slot = self.slot(tail);
        // The ring is not full, so the slot at `tail` is empty: its last
        // value was moved out by a pop that has returned.
        // SAFETY: and `&mut self` means no one else can touch it.
        unsafe { slot.write(value) };
        slot.stamp.store(tail + 1, Ordering::Relaxed);
        let new_tail = self.next(tail);
        self.tail.store(new_tail, Ordering::Relaxed);
        Ok(())
    }
}

impl<T> Ring<T, true> {
    /// Closes the ring; `true` if this call did (it was open).
    pub(crate) fn close(&self) -> bool {
        // SeqCst: one more write of `tail` in the total order. Every
        // producer's compare-and-swap expects a tail without `CLOSED`, so
        // each one is ordered before this (it succeeded, and its value will
        // be popped) or after (it fails and sees the bit). Pairs with the
        // SeqCst tail loads in `pop`, `len`, `tail_word`.
        self.tail.fetch_or(CLOSED, Ordering::SeqCst) & CLOSED == 0
    }

    /// Closes the ring if `tail` (a position read by a push that found its
    /// slot one lap old) is still the tail and the ring is full there.
    /// `true` if this call closed it; `false` means: retry the push.
    pub(crate) fn close_if_full(&self, tail: Index) -> bool {
        // SeqCst: as in `close`. `is_full_at` saw the ring full at its head
        // load, and the compare-and-swap succeeds only if no producer moved
        // `tail` since (and nobody closed it): no value was accepted between
        // "full" and the close, which is what "closed because full" means.
        self.is_full_at(tail)
            && self
                .tail
                .compare_exchange(tail, tail | CLOSED, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
    }

    /// Opens a closed ring again (exclusive access); `true` if it was closed.
    pub(crate) fn reopen(&mut self) -> bool {
        // Relaxed: `&mut self`, see `pop_mut`.
        let tail = self.tail.load(Ordering::Relaxed);
        self.tail.store(tail & !CLOSED, Ordering::Relaxed);
        tail & CLOSED != 0
    }
}

impl<T, const CLOSABLE: bool> Drop for Ring<T, CLOSABLE> {
    fn drop(&mut self) {
        let mut rest = DropRestThenFree(self);
        // Oldest first, each exactly once: `pop_mut` moves `head` past a
        // value before it is dropped. If a destructor panics, `rest` drops
        // the values after it while unwinding, and frees the buffer.
        rest.drop_values();
    }
}

/// Drops a ring's remaining values, then frees its buffer: the ring's
/// `Drop`, as a guard, so that a value whose destructor panics leaks
/// neither the values after it nor the buffer (as std's collections do; a
/// second panic while unwinding aborts, as there).
struct DropRestThenFree<'a, T, const CLOSABLE: bool>(&'a mut Ring<T, CLOSABLE>);

impl<T, const CLOSABLE: bool> DropRestThenFree<'_, T, CLOSABLE> {
    /// Drops every value still in the ring, oldest first.
    fn drop_values(&mut self) {
        if mem::needs_drop::<T>() {
            while let Some(value) = self.0.pop_mut() {
                drop(value);
            }
        }
    }
}

impl<T, const CLOSABLE: bool> Drop for DropRestThenFree<'_, T, CLOSABLE> {
    fn drop(&mut self) {
        // Nothing left after a normal `drop_values`; the values after the
        // one that panicked when unwinding out of it.
        self.drop_values();
        let ring = &mut *self.0;
        let slots = ptr::slice_from_raw_parts_mut(ring.buffer.as_ptr(), ring.cap);
        // The slots' values are `MaybeUninit`: dropping the box frees them
        // without touching a `T` (every value left was dropped just above).
        // `buffer` and `cap` are the parts of the `Box<[Slot<T>]>` made in
        // `new`, and this guard is made only by the ring's `Drop`, once.
        // SAFETY: so the box is rebuilt from its own parts, exactly once.
        drop(unsafe { Box::from_raw(slots) });
    }
}
