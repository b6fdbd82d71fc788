//! A stub `go` for plumbing tests only.
fn main() {}
