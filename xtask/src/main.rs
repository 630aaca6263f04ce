//! Placeholder: replaced by the real task runner.
fn main() {}
