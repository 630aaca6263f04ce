//! [`PopBatch`]: values taken from an [`ArrayQueue`](crate::ArrayQueue)
//! together, with one claim.

use core::fmt;
use core::iter::FusedIterator;
use core::mem::MaybeUninit;
use core::ptr;

use alloc::boxed::Box;

/// The most values one [`ArrayQueue::pop_batch`](crate::ArrayQueue::pop_batch)
/// takes (fewer for values larger than 16 bytes: see [`PopBatch::CAPACITY`]).
pub const POP_BATCH_MAX: usize = 32;

/// The most bytes of values a [`PopBatch`] holds inline. A batch lives on
/// its caller's stack, so it is bounded in bytes, not only in values: 32
/// values of 64 KiB would be 2 MiB, a whole thread's stack.
pub const POP_BATCH_INLINE_BYTES: usize = 512;

/// The values taken by one [`ArrayQueue::pop_batch`](crate::ArrayQueue::pop_batch),
/// oldest first (or newest first, from the back).
///
/// The batch holds its values itself (at most [`PopBatch::CAPACITY`]):
/// `pop_batch` moved them out of the queue and freed their slots before it
/// returned, so holding a batch never holds up a producer. Values not taken
/// are dropped with the batch.
///
/// Values of up to [`POP_BATCH_INLINE_BYTES`] are held inline, as many as
/// fit in that many bytes; a larger value is a batch of one, boxed.
///
/// ```
/// use vyukov_mpmc::ArrayQueue;
///
/// let q = ArrayQueue::new(8);
/// for i in 0..5 {
///     q.push(i).unwrap();
/// }
/// let mut batch = q.pop_batch(4);
/// assert_eq!(batch.len(), 4);
/// assert_eq!(batch.next(), Some(0));
/// assert_eq!(batch.next_back(), Some(3));
/// drop(batch); // drops 1 and 2
/// assert_eq!(q.pop(), Some(4));
/// ```
pub struct PopBatch<T> {
    /// Values no larger than `POP_BATCH_INLINE_BYTES`:
    /// `inline[next..end]` are initialised, the values not yet taken.
    inline: Inline<T>,
    /// A value larger than `POP_BATCH_INLINE_BYTES`, the batch's only one.
    boxed: Option<Box<T>>,
    next: usize,
    end: usize,
}

/// `POP_BATCH_INLINE_BYTES` of room for values of type `T`, aligned for `T`.
#[repr(C)]
struct Inline<T> {
    /// No room, only `T`'s alignment (at offset 0, as `bytes`).
    _align: [T; 0],
    bytes: [MaybeUninit<u8>; POP_BATCH_INLINE_BYTES],
}

impl<T> Inline<T> {
    /// Where the `index`th value lives; `index < PopBatch::<T>::CAPACITY`.
    #[inline(always)]
    fn at(&mut self, index: usize) -> *mut T {
        debug_assert!(PopBatch::<T>::HOLDS_INLINE && index < PopBatch::<T>::CAPACITY);
        // `CAPACITY` values of `T` fit in `bytes` (or `T` has no size), and
        // `bytes` starts at an address aligned for `T` (`_align` shares its
        // offset), so the `index`th one is in bounds and aligned.
        // SAFETY: so the offset stays inside `bytes`.
        unsafe { self.bytes.as_mut_ptr().cast::<T>().add(index) }
    }
}

impl<T> PopBatch<T> {
    /// The most values a batch of `T` holds: [`POP_BATCH_MAX`] for values of
    /// up to 16 bytes, as many as fit in [`POP_BATCH_INLINE_BYTES`] for
    /// larger ones, and 1 for values larger than that.
    ///
    /// ```
    /// use vyukov_mpmc::PopBatch;
    ///
    /// assert_eq!(PopBatch::<u64>::CAPACITY, 32);
    /// assert_eq!(PopBatch::<[u64; 8]>::CAPACITY, 8);
    /// assert_eq!(PopBatch::<[u8; 65536]>::CAPACITY, 1);
    /// ```
    pub const CAPACITY: usize = {
        let size = size_of::<T>();
        if size == 0 {
            POP_BATCH_MAX
        } else if size > POP_BATCH_INLINE_BYTES {
            1
        } else if POP_BATCH_INLINE_BYTES / size < POP_BATCH_MAX {
            POP_BATCH_INLINE_BYTES / size
        } else {
            POP_BATCH_MAX
        }
    };

    /// Whether the values live in `inline` (else in `boxed`).
    const HOLDS_INLINE: bool = size_of::<T>() <= POP_BATCH_INLINE_BYTES;

    /// An empty batch.
    pub(crate) fn new() -> Self {
        PopBatch {
            inline: Inline {
                _align: [],
                bytes: [MaybeUninit::uninit(); POP_BATCH_INLINE_BYTES],
            },
            boxed: None,
            next: 0,
            end: 0,
        }
    }

    /// Appends `value`.
    ///
    /// # Panics
    ///
    /// If the batch already holds [`Self::CAPACITY`] values (the callers
    /// never push more than that).
    #[inline]
    pub(crate) fn push(&mut self, value: T) {
        if Self::HOLDS_INLINE {
            assert!(self.end < Self::CAPACITY, "PopBatch: full");
            let slot = self.inline.at(self.end);
            // `slot` is in bounds and aligned (`at`), and past `end`, so it
            // holds no value that this write would leak.
            // SAFETY: so the write is valid.
            unsafe { slot.write(value) };
            self.end += 1;
        } else {
            assert!(self.boxed.is_none(), "PopBatch: full");
            self.boxed = Some(Box::new(value));
        }
    }
}

/// An empty batch.
///
/// ```
/// let mut none = vyukov_mpmc::PopBatch::<u8>::default();
/// assert_eq!((none.len(), none.next()), (0, None));
/// ```
impl<T> Default for PopBatch<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Iterator for PopBatch<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if !Self::HOLDS_INLINE {
            return self.boxed.take().map(|value| *value);
        }
        if self.next == self.end {
            return None;
        }
        let slot = self.inline.at(self.next);
        self.next += 1;
        // The slot was initialised by `push` (it was below `end`), and
        // `next` has moved past it, so it is never read or dropped again.
        // SAFETY: so this reads an initialised value, once.
        Some(unsafe { slot.read() })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.end - self.next + usize::from(self.boxed.is_some());
        (len, Some(len))
    }
}

impl<T> DoubleEndedIterator for PopBatch<T> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        if !Self::HOLDS_INLINE {
            return self.boxed.take().map(|value| *value);
        }
        if self.next == self.end {
            return None;
        }
        self.end -= 1;
        let slot = self.inline.at(self.end);
        // The slot was initialised by `push` (`next <= end` before the
        // decrement), and `end` has moved below it, so it is never read or
        // dropped again.
        // SAFETY: so this reads an initialised value, once.
        Some(unsafe { slot.read() })
    }
}

impl<T> ExactSizeIterator for PopBatch<T> {}

impl<T> FusedIterator for PopBatch<T> {}

impl<T> Drop for PopBatch<T> {
    fn drop(&mut self) {
        if self.next == self.end {
            return; // (`boxed` drops itself)
        }
        let rest = ptr::slice_from_raw_parts_mut(self.inline.at(self.next), self.end - self.next);
        // `inline[next..end]` are the initialised values not taken, side by
        // side. Dropping them as a slice goes on to the next one if a
        // destructor panics, as a `Vec` does.
        // SAFETY: so each is dropped once; nothing reads them after.
        unsafe { ptr::drop_in_place(rest) };
    }
}

impl<T> fmt::Debug for PopBatch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PopBatch")
            .field("remaining", &self.len())
            .finish_non_exhaustive()
    }
}
