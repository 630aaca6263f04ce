//! Interleaved side-by-side runs, for the `vs_peers` examples.
//!
//! On a small, shared machine a threaded run's speed drifts by tens of
//! percent over minutes, and criterion measures one implementation after
//! the other, so the order alone moves a ratio (one binary read 0.78x-1.16x
//! against the same peer depending on which ran first). Here every round
//! runs every implementation, in an order that rotates from round to round,
//! and ratios are taken within a round.

/// Runs `rounds` rounds of `measure(which)` for every `which` in
/// `0..implementations`, the first to run rotating from round to round;
/// returns each implementation's results (values per second), by round.
pub fn rounds(
    implementations: usize,
    rounds: usize,
    mut measure: impl FnMut(usize) -> f64,
) -> Vec<Vec<f64>> {
    let mut rates = vec![Vec::with_capacity(rounds); implementations];
    for round in 0..rounds {
        for k in 0..implementations {
            let which = (round + k) % implementations;
            rates[which].push(measure(which));
        }
    }
    rates
}

/// Prints two tables: each implementation's median throughput (min, max),
/// and for each peer (every implementation after the first, which is ours)
/// the median and quartiles of the per-round ratios ours / peer, and the
/// number of rounds ours was the faster.
pub fn print_tables(names: &[&str], rates: &[Vec<f64>]) {
    println!(
        "\n| {:<30} | {:>15} | {:>15} | {:>15} |",
        "implementation", "median Mval/s", "min", "max"
    );
    println!("|{:-<32}|{:->17}|{:->17}|{:->17}|", "", "", "", "");
    for (name, r) in names.iter().zip(rates) {
        let sorted = sorted(r.clone());
        println!(
            "| {:<30} | {:>15.1} | {:>15.1} | {:>15.1} |",
            name,
            quantile(&sorted, 0.5) / 1e6,
            sorted[0] / 1e6,
            sorted[sorted.len() - 1] / 1e6
        );
    }
    println!(
        "\n| {:<30} | {:>15} | {:>23} | {:>13} |",
        format!("{} / peer", names[0]),
        "median ratio",
        "quartiles",
        "rounds won"
    );
    println!("|{:-<32}|{:->17}|{:->25}|{:->15}|", "", "", "", "");
    for (name, peer) in names.iter().zip(rates).skip(1) {
        let ratios = sorted(rates[0].iter().zip(peer).map(|(o, p)| o / p).collect());
        let won = ratios.iter().filter(|&&r| r > 1.0).count();
        println!(
            "| {:<30} | {:>14.2}x | {:>10.2}x - {:>9.2}x | {:>13} |",
            name,
            quantile(&ratios, 0.5),
            quantile(&ratios, 0.25),
            quantile(&ratios, 0.75),
            format!("{won} of {}", ratios.len())
        );
    }
}

/// The numeric command-line argument at `position`, or `default`
/// (underscores allowed: `28_000_000`).
///
/// # Panics
///
/// If the argument is there but is not a number.
pub fn arg(position: usize, default: usize) -> usize {
    std::env::args().nth(position).map_or(default, |a| {
        a.replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("argument {position} must be a number, got {a:?}"))
    })
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// The value at quantile `q` of sorted, non-empty `v`.
fn quantile(v: &[f64], q: f64) -> f64 {
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// The lower quartile, median and upper quartile of non-empty `values`.
///
/// # Panics
///
/// If `values` is empty.
pub fn quartiles(values: Vec<f64>) -> (f64, f64, f64) {
    assert!(!values.is_empty(), "quartiles of no values");
    let v = sorted(values);
    (quantile(&v, 0.25), quantile(&v, 0.5), quantile(&v, 0.75))
}
