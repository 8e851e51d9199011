//! Work that reads the publication or lays out pages runs on the
//! command's own thread, inside the thread pool `cmd` made for the run:
//! typst, the checks and the builds work in parallel in that pool (its
//! threads have the stack deep inputs need), and where a process limit
//! left no thread for a pool, rayon's global one is never asked for
//! (it would fail, and fail the process). The server's threads only
//! read and write sockets; they hand each such job over and wait.

use std::sync::mpsc::{Receiver, Sender, channel, sync_channel};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct Jobs(Sender<Job>);

impl Jobs {
    pub fn new() -> (Jobs, Receiver<Job>) {
        let (tx, rx) = channel();
        (Jobs(tx), rx)
    }

    /// Runs `work` on the command's thread and waits for it; `None` when
    /// it panicked (the panic is contained: one answer fails, not the
    /// server).
    pub fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = sync_channel(1);
        self.0
            .send(Box::new(move || {
                let _ = tx.send(work());
            }))
            .ok()?;
        rx.recv().ok()
    }
}

/// Runs the jobs as they come, one after another, on this thread.
pub fn run_jobs(jobs: Receiver<Job>) -> ! {
    for job in jobs {
        let _ = crate::sandbox::contain(job);
    }
    // Every sender is gone: nothing will ever come.
    loop {
        std::thread::park();
    }
}
