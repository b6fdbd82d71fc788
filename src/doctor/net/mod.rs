//! Network plumbing for the probes: proxies and CA roots as go uses them,
//! and an HTTP client whose every step is bounded and reported on its own.

pub mod http;
pub mod proxyenv;
pub mod tls;
