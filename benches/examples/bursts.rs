//! Bursts with blocking receivers: throughput and CPU time per value,
//! deque-channel against crossbeam-channel and flume, interleaved.
//!
//! ```text
//! cargo run --release -p benches --example bursts [-- WORKERS [BURSTS [ROUNDS]]]
//! ```
//!
//! Each run: an outside producer sends 10,000 values (waiting for room in a
//! channel of 4096), waits until all are received, pauses 1 ms, and repeats
//! BURSTS times (default 100); WORKERS receivers (default 4) take them with
//! blocking receives (`benches::blocking::bursts`). Throughput counts the
//! bursts' time only; CPU time is the whole process's over the whole run,
//! pauses included, so receivers that spin while idle pay for it there.
//! Every round runs all three, the order rotating (`benches::interleaved`).

use std::time::Duration;

use benches::blocking::{Blocking, bursts, process_cpu_time};
use benches::interleaved::{self, arg};

const BURST: usize = 10_000;

fn main() {
    let workers = arg(1, 4).max(1);
    let burst_count = arg(2, 100).max(1);
    let rounds = arg(3, 11).max(1);
    println!(
        "bursts: {workers} receivers, {burst_count} bursts of {BURST} values with 1 ms pauses per run, {rounds} rounds (order rotating)"
    );
    let names: Vec<&str> = Blocking::ALL.iter().map(|k| k.name()).collect();
    let mut cpu_per_value: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let rates = interleaved::rounds(names.len(), rounds, |which| {
        let kind = Blocking::ALL[which];
        let cpu_before = process_cpu_time();
        let busy = bursts(kind, workers, burst_count, BURST, Duration::from_millis(1));
        let values = (burst_count * BURST) as f64;
        if let (Some(before), Some(after)) = (cpu_before, process_cpu_time()) {
            cpu_per_value[which].push((after - before).as_secs_f64() * 1e9 / values);
        }
        values / busy.as_secs_f64()
    });
    interleaved::print_tables(&names, &rates);
    if cpu_per_value[0].is_empty() {
        println!("\n(CPU time needs /proc/self/stat: not measured here)");
        return;
    }
    println!(
        "\n| {:<30} | {:>20} | {:>10} | {:>10} |",
        "CPU time per value", "median ns (process)", "min", "max"
    );
    println!("|{:-<32}|{:->22}|{:->12}|{:->12}|", "", "", "", "");
    for (name, cpu) in names.iter().zip(&cpu_per_value) {
        let mut sorted = cpu.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "| {:<30} | {:>20.1} | {:>10.1} | {:>10.1} |",
            name,
            sorted[sorted.len() / 2],
            sorted[0],
            sorted[sorted.len() - 1]
        );
    }
}
