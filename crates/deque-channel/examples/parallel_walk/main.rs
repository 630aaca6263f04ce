//! A parallel directory walk on the work-stealing channel, against the
//! walkers ripgrep and its neighbours use.
//!
//! A walk is the classic recursive job: each directory read sends its
//! subdirectories, the tree is uneven, the work mixes system calls with a
//! little CPU, and the program must know when it is finished. On
//! deque-channel each worker loops on `recv_blocking`, and the walk ends
//! when the channel is *done*: no count of outstanding directories, no
//! spinning (`walk.rs`). The same walk runs on `walkdir` (one thread: the
//! reference), `ignore::WalkParallel` (ripgrep's and fd's walker, filters
//! off) and `jwalk` (rayon), `peers.rs`. Every walker takes one
//! `symlink_metadata` per entry and counts directories, files, symlinks
//! (never followed), other entries, file bytes and unreadable entries;
//! any count that differs from walkdir's is an error (exit status 1).
//!
//! Ours takes each entry's `symlink_metadata` relative to the directory it
//! is reading (`DirEntry::metadata`, `fstatat`), which the peers do not;
//! the row "same, stat by path" is our walk with the peers' system calls
//! (the whole path each time), so the channel's part can be told from the
//! system call's.
//!
//! ```text
//! cargo run --release -p deque-channel --example parallel_walk -- [DIR | --generated N] [--threads N] [--runs N]
//! ```
//!
//! DIR defaults to the Rust toolchain's sysroot (`rustc --print sysroot`),
//! which every machine with this project has; `--generated N` walks a
//! seeded tree of N entries made in the temporary directory and removed
//! after (`generate.rs`; the criterion benchmark walks N = 50,000).
//! `--threads` defaults to every core; `--runs` (default 5) is how many
//! times each walker walks, after one walk that warms the file system's
//! caches: the figures are the medians. A tree that changes while it is
//! walked can make the counts differ.

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::thread;
use std::time::{Duration, Instant};

mod generate;
mod peers;
mod walk;

use generate::GeneratedTree;
use peers::{walk_ignore, walk_jwalk, walk_walkdir};
use walk::{Counts, StatBy, walk_deque_channel};

/// The command line.
struct Args {
    root: PathBuf,
    threads: usize,
    runs: usize,
    /// Kept until the walks are done: `root` is in it.
    _generated: Option<GeneratedTree>,
}

fn parse_args() -> Result<Args, String> {
    let mut root = None;
    let mut threads = thread::available_parallelism().map_or(2, |n| n.get());
    let mut runs = 5;
    let mut generated = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--help" | "-h" => return Err(String::new()),
            "--threads" | "--runs" | "--generated" => {
                let value = args.next().ok_or(format!("{arg} needs a value"))?;
                let n: usize = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or(format!("{arg} needs a positive number, not {value}"))?;
                match arg.as_str() {
                    "--threads" => threads = n,
                    "--runs" => runs = n,
                    _ => generated = Some(n),
                }
            }
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
            dir if root.is_none() => root = Some(PathBuf::from(dir)),
            extra => return Err(format!("one directory only: {extra}?")),
        }
    }
    let generated = match (generated, &root) {
        (Some(_), Some(_)) => return Err("a DIR or --generated, not both".into()),
        (Some(entries), None) => Some(
            GeneratedTree::new("parallel_walk", entries)
                .map_err(|e| format!("could not make the tree: {e}"))?,
        ),
        (None, _) => None,
    };
    let root = match (root, &generated) {
        (Some(root), _) => root,
        (None, Some(tree)) => tree.root().to_path_buf(),
        (None, None) => sysroot()?,
    };
    Ok(Args {
        root,
        threads,
        runs,
        _generated: generated,
    })
}

/// The toolchain's sysroot, from `rustc --print sysroot`.
fn sysroot() -> Result<PathBuf, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("no DIR given and `rustc --print sysroot` failed: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "no DIR given and `rustc --print sysroot` failed: {}",
            output.status
        ));
    }
    let path = String::from_utf8(output.stdout)
        .map_err(|_| "`rustc --print sysroot` printed a path that is not UTF-8".to_owned())?;
    Ok(PathBuf::from(path.trim()))
}

/// The CPU time (user and system) this process has used so far, threads
/// that have exited included; `None` where `/proc/self/stat` does not say.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces, inside
    // parentheses): utime and stime are the 12th and 13th, in clock ticks
    // of USER_HZ, which is 100 a second on Linux's common architectures
    // whatever the kernel's own tick rate.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// One walker's runs.
struct Measured {
    name: String,
    counts: Counts,
    wall: Duration,
    cpu: Option<Duration>,
}

/// Runs `walk` `runs` times; the counts of the last run (each run's must be
/// the same, else an error names the walker) and the median wall and CPU
/// times.
fn measure(name: String, runs: usize, walk: impl Fn() -> Counts) -> Result<Measured, String> {
    let mut walls = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    let mut counts = None;
    for _ in 0..runs {
        let cpu_before = cpu_time();
        let start = Instant::now();
        let this_run = walk();
        walls.push(start.elapsed());
        if let (Some(before), Some(after)) = (cpu_before, cpu_time()) {
            cpus.push(after.saturating_sub(before));
        }
        if counts.is_some_and(|c| c != this_run) {
            return Err(format!(
                "{name} counted {this_run:?} after {:?}: is the tree changing?",
                counts.unwrap()
            ));
        }
        counts = Some(this_run);
    }
    walls.sort();
    cpus.sort();
    Ok(Measured {
        name,
        counts: counts.expect("at least one run"),
        wall: walls[walls.len() / 2],
        cpu: (cpus.len() == runs).then(|| cpus[cpus.len() / 2]),
    })
}

/// One walker's row: its times, and whether its counts are walkdir's.
fn print_row(m: &Measured, reference: &Counts) {
    let entries = m.counts.entries();
    let (cpu_ms, cpu_per_entry) = match m.cpu {
        Some(cpu) => (
            format!("{:.0}", cpu.as_secs_f64() * 1e3),
            format!("{:.0}", cpu.as_secs_f64() * 1e9 / entries.max(1) as f64),
        ),
        None => ("?".to_owned(), "?".to_owned()),
    };
    let counts = if m.counts == *reference {
        "= walkdir".to_owned()
    } else {
        format!("{:?}", m.counts)
    };
    println!(
        "  {:<28} {:>9} {:>8.1} {:>8.2} {cpu_ms:>7} {cpu_per_entry:>8}  {counts}",
        m.name,
        entries,
        m.wall.as_secs_f64() * 1e3,
        entries as f64 / m.wall.as_secs_f64() / 1e6,
    );
}

fn run(args: &Args) -> Result<(), String> {
    let Args {
        root,
        threads,
        runs,
        ..
    } = args;
    let (root, threads, runs) = (root.as_path(), *threads, *runs);
    println!(
        "parallel_walk: {}, {threads} threads; median of {runs} runs per walker, after one warm-up walk",
        root.display()
    );
    walk_walkdir(root);

    let reference = measure("walkdir (1 thread)".into(), runs, || walk_walkdir(root))?;
    let c = &reference.counts;
    println!(
        "  walkdir found {} directories, {} files, {} symlinks, {} others ({} entries), {} file bytes, {} unreadable",
        c.dirs,
        c.files,
        c.symlinks,
        c.others,
        c.entries(),
        c.file_bytes,
        c.unreadable
    );
    println!(
        "  {:<28} {:>9} {:>8} {:>8} {:>7} {:>8}  counts",
        "walker", "entries", "ms", "M/s", "CPU ms", "ns/entry"
    );
    print_row(&reference, c);
    let ours = measure(format!("deque-channel ({threads})"), runs, || {
        walk_deque_channel(root, threads, StatBy::OpenDirectory).0
    })?;
    print_row(&ours, c);
    let by_path = measure(format!("  same, stat by path ({threads})"), runs, || {
        walk_deque_channel(root, threads, StatBy::Path).0
    })?;
    print_row(&by_path, c);
    let peers = [
        measure(format!("ignore::WalkParallel ({threads})"), runs, || {
            walk_ignore(root, threads)
        })?,
        measure(format!("jwalk ({threads})"), runs, || {
            walk_jwalk(root, threads)
        })?,
    ];
    for peer in &peers {
        print_row(peer, c);
    }

    // One more walk of ours, for its counters.
    let (_, stats) = walk_deque_channel(root, threads, StatBy::OpenDirectory);
    for (id, s) in stats.iter().enumerate() {
        let received = s.recv_local + s.recv_global + s.recv_stolen;
        // Directories a batch from the global queue or a batch steal moved
        // into this worker's deque are received later as local ones: count
        // them where they came from.
        let global = s.taken_global.min(received);
        let stolen = s.stolen.min(received - global);
        println!(
            "  deque-channel worker {id}: read {received} directories ({} its own finds, {global} from the global queue, {stolen} stolen); {} offloads, {} parks",
            received - global - stolen,
            s.offloads,
            s.parks,
        );
    }

    let faster = |ours: &Measured, others: &mut dyn Iterator<Item = &Measured>| {
        let ratios: Vec<String> = others
            .map(|other| {
                format!(
                    "{:.2}x {}",
                    other.wall.as_secs_f64() / ours.wall.as_secs_f64(),
                    other.name.trim()
                )
            })
            .collect();
        ratios.join(", ")
    };
    println!(
        "deque-channel's speed: {}; with the peers' system calls: {}",
        faster(&ours, &mut std::iter::once(&reference).chain(&peers)),
        faster(&by_path, &mut peers.iter()),
    );

    let wrong: Vec<String> = [&ours, &by_path]
        .into_iter()
        .chain(&peers)
        .filter(|m| m.counts != reference.counts)
        .map(|m| format!("{}: {:?}", m.name, m.counts))
        .collect();
    if !wrong.is_empty() {
        return Err(format!(
            "MISMATCH with walkdir's {:?}: {}",
            reference.counts,
            wrong.join("; ")
        ));
    }
    println!(
        "every walker found walkdir's {} entries and {} file bytes: OK",
        reference.counts.entries(),
        reference.counts.file_bytes
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("error: {why}");
            }
            eprintln!("usage: parallel_walk [DIR | --generated N] [--threads N] [--runs N]");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::FAILURE
        }
    }
}
