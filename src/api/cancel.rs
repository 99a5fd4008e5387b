//! A cancellation handle a view owns: cancelling it aborts the in-flight request and stops
//! any pending retry, so navigating away never leaves work (or a key-bearing request) running.
//!
//! It is `Send + Sync` so a Leptos `on_cleanup` closure can hold it directly.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every request and retry that uses this token (and its clones). Idempotent.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        // A poisoned lock only means another waiter panicked; the wakers are still valid.
        let wakers =
            std::mem::take(&mut *self.inner.wakers.lock().unwrap_or_else(|p| p.into_inner()));
        for waker in wakers {
            waker.wake();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once the token is cancelled (never, if it is not).
    pub fn cancelled(&self) -> Cancelled {
        Cancelled {
            token: self.clone(),
        }
    }

    /// A guard that cancels the token when dropped, e.g. kept by a component.
    pub fn guard(&self) -> CancelGuard {
        CancelGuard {
            token: self.clone(),
        }
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// The future returned by [`CancelToken::cancelled`].
pub struct Cancelled {
    token: CancelToken,
}

impl Future for Cancelled {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.token.is_cancelled() {
            return Poll::Ready(());
        }
        let mut wakers = self
            .token
            .inner
            .wakers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Checked again under the lock: `cancel` may have run between the check and the lock.
        if self.token.is_cancelled() {
            return Poll::Ready(());
        }
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Cancels its token on drop.
#[must_use = "dropping the guard cancels at once"]
pub struct CancelGuard {
    token: CancelToken,
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    #[test]
    fn wakes_waiters_and_guard_cancels_on_drop() {
        let token = CancelToken::new();
        let mut waiting = token.cancelled();
        assert!((&mut waiting).now_or_never().is_none());
        let clone = token.clone();
        drop(clone.guard());
        assert!(token.is_cancelled());
        assert!(waiting.now_or_never().is_some());
    }
}
