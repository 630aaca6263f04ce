//! [`Steal`], the outcome of one attempt to take from another thread's deque.

use core::fmt;

/// The outcome of a steal attempt.
///
/// Same meaning as `crossbeam_deque::Steal`:
///
/// - [`Empty`](Steal::Empty): there was nothing to take; and, for
///   [`steal_batch`](crate::Stealer::steal_batch) and
///   [`steal_batch_with_limit`](crate::Stealer::steal_batch_with_limit)
///   only, when the destination had no free slot (crossbeam's deques grow,
///   ours do not): full (`dest.len() == dest.capacity()`), or its next
///   slot still being read by one of its own thieves;
/// - [`Success`](Steal::Success): an item was taken;
/// - [`Retry`](Steal::Retry): lost a race; trying again may succeed.
///   beam-deque's steals never return it (they retry a lost race
///   themselves); it is here for code written against crossbeam's deques
///   and queues, and for [`Steal::or_else`] and `collect` chains.
///
/// # Examples
///
/// ```
/// use beam_deque::{Steal, Worker};
///
/// let w = Worker::new(4);
/// let s = w.stealer();
/// assert_eq!(s.steal(), Steal::Empty);
/// w.push(7).unwrap();
/// assert_eq!(s.steal(), Steal::Success(7));
/// ```
#[must_use]
#[derive(PartialEq, Eq, Copy, Clone)]
pub enum Steal<T> {
    /// The deque was empty at the time of stealing (or a batch's
    /// destination was full: see above).
    Empty,
    /// At least one item was stolen; this one is handed back.
    Success(T),
    /// Lost a race with another thief; the steal should be retried.
    Retry,
}

impl<T> Steal<T> {
    /// Returns `true` if the deque was empty.
    ///
    /// ```
    /// assert!(beam_deque::Steal::<i32>::Empty.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(self, Steal::Empty)
    }

    /// Returns `true` if an item was stolen.
    ///
    /// ```
    /// assert!(beam_deque::Steal::Success(1).is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(self, Steal::Success(_))
    }

    /// Returns `true` if the steal should be retried.
    ///
    /// ```
    /// assert!(beam_deque::Steal::<i32>::Retry.is_retry());
    /// ```
    pub fn is_retry(&self) -> bool {
        matches!(self, Steal::Retry)
    }

    /// Returns the stolen item, if any.
    ///
    /// ```
    /// assert_eq!(beam_deque::Steal::Success(3).success(), Some(3));
    /// assert_eq!(beam_deque::Steal::<i32>::Retry.success(), None);
    /// ```
    pub fn success(self) -> Option<T> {
        match self {
            Steal::Success(item) => Some(item),
            _ => None,
        }
    }

    /// If no item was stolen, attempts another steal with `f`.
    ///
    /// A `Retry` is remembered: if `f` then finds `Empty`, the result is
    /// still `Retry`, so a caller that loops on `is_retry` does not miss an
    /// item that a racing thief was about to leave behind.
    ///
    /// ```
    /// use beam_deque::Steal::{self, Empty, Retry, Success};
    ///
    /// assert_eq!(Empty.or_else(|| Success(1)), Success(1));
    /// assert_eq!(Retry.or_else(|| Empty::<i32>), Retry);
    /// assert_eq!(Success(1).or_else(|| Success(2)), Success(1));
    /// ```
    pub fn or_else<F>(self, f: F) -> Steal<T>
    where
        F: FnOnce() -> Steal<T>,
    {
        match self {
            Steal::Empty => f(),
            Steal::Success(_) => self,
            Steal::Retry => match f() {
                Steal::Empty => Steal::Retry,
                other => other,
            },
        }
    }
}

impl<T> fmt::Debug for Steal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Steal::Empty => f.pad("Empty"),
            Steal::Success(_) => f.pad("Success(..)"),
            Steal::Retry => f.pad("Retry"),
        }
    }
}

/// Consumes steal attempts until one succeeds.
///
/// Returns the first `Success`; otherwise `Retry` if any attempt said
/// `Retry`, else `Empty`. Attempts after the first success are not made.
///
/// ```
/// use beam_deque::Steal::{self, Empty, Retry, Success};
///
/// let all: Steal<i32> = [Empty, Retry, Success(5), Success(6)].into_iter().collect();
/// assert_eq!(all, Success(5));
/// let none: Steal<i32> = [Empty, Retry, Empty].into_iter().collect();
/// assert_eq!(none, Retry);
/// ```
impl<T> FromIterator<Steal<T>> for Steal<T> {
    fn from_iter<I>(iter: I) -> Steal<T>
    where
        I: IntoIterator<Item = Steal<T>>,
    {
        let mut retry = false;
        for attempt in iter {
            match attempt {
                Steal::Empty => {}
                Steal::Success(item) => return Steal::Success(item),
                Steal::Retry => retry = true,
            }
        }
        if retry { Steal::Retry } else { Steal::Empty }
    }
}
