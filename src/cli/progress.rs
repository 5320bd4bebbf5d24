//! A progress line on standard error for long runs.
//!
//! Screening a journal's back catalogue takes minutes, and silence looks
//! like a hang. When a run lasts more than a second and standard error is a
//! terminal, a line shows the files done, the megabytes read and the speed.
//! Piped or redirected runs never see it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counters the driver bumps; read by the display thread.
static BYTES: AtomicU64 = AtomicU64::new(0);
static FILES: AtomicU64 = AtomicU64::new(0);
static SENTENCES: AtomicU64 = AtomicU64::new(0);

/// Counts bytes repaired.
pub fn add_bytes(bytes: usize) {
    BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
}

/// Counts a finished input.
pub fn add_file() {
    FILES.fetch_add(1, Ordering::Relaxed);
}

/// Counts a sentence that the neural scorer read (`--deep`, where one
/// document takes seconds).
#[cfg(feature = "deep")]
pub fn add_sentence() {
    SENTENCES.fetch_add(1, Ordering::Relaxed);
}

/// The display, while it runs; dropping it clears the line.
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts the display if standard error is a terminal.
    pub fn start() -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let done = Arc::clone(&done);
            thread::spawn(move || show(&done))
        });
        Progress { done, thread }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn show(done: &AtomicBool) {
    let start = Instant::now();
    // Quiet for the first second: most runs end before.
    while start.elapsed() < Duration::from_secs(1) {
        if done.load(Ordering::Relaxed) {
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
    while !done.load(Ordering::Relaxed) {
        let bytes = BYTES.load(Ordering::Relaxed) as f64 / 1e6;
        let files = FILES.load(Ordering::Relaxed);
        let speed = bytes / start.elapsed().as_secs_f64();
        let sentences = SENTENCES.load(Ordering::Relaxed);
        let deep = if sentences > 0 {
            format!(", {sentences} sentences read by the model")
        } else {
            String::new()
        };
        bar.set_message(format!(
            "despin: {files} file{} done, {bytes:.1} MB, {speed:.1} MB/s{deep}",
            if files == 1 { "" } else { "s" }
        ));
        bar.tick();
        thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
