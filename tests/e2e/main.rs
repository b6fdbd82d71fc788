//! End-to-end tests against the failure lab's servers (run by `make e2e`).

#![allow(unreachable_pub)]
