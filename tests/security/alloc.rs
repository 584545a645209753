//! A counting global allocator: the peak number of bytes allocated by the
//! current thread while a closure runs. Only the measuring thread counts, so
//! tests that build their inputs in parallel do not show in each other's
//! peaks (the decoders are single-threaded); measurements are also taken one
//! at a time through a lock.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static MEASURING: Mutex<()> = Mutex::new(());

thread_local! {
    /// Whether this thread's allocations are being counted.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the calling thread is the one being measured (false while the
/// thread is being torn down).
fn counted() -> bool {
    ACTIVE.try_with(Cell::get).unwrap_or(false)
}

// SAFETY (the trait is unsafe to implement): every call is forwarded to the
// system allocator unchanged; only the byte counters are updated around it.
// The crate under test itself forbids unsafe code; this test harness needs
// this one impl to observe allocations.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded to the system allocator with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && counted() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        if counted() {
            // Saturating: a block allocated before measuring may be freed during it.
            let _ =
                CURRENT.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| Some(c.saturating_sub(layout.size())));
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded to the system allocator with the caller's arguments.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() && counted() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                let shrink = layout.size() - new_size;
                let _ = CURRENT.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| Some(c.saturating_sub(shrink)));
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Serialises the tests of this binary, so that one test's allocations do
/// not show in another's measurement.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` and returns its result with the peak bytes allocated above the
/// level at the start. Hold [`exclusive`] around it.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
    CURRENT.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    ACTIVE.with(|a| a.set(true));
    let out = f();
    ACTIVE.with(|a| a.set(false));
    let peak = PEAK.load(Ordering::Relaxed);
    (out, peak)
}
