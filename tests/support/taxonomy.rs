//! The diagnosis IDs of `docs/design.md` §4 (the lab's
//! `lab/lab.py` keeps the same list), shared by the test binaries.

/// Every ID, `unclassified` last.
pub(crate) const TAXONOMY: &[&str] = &[
    "git-not-found",
    "git-config-invalid",
    "ssh-publickey-denied",
    "ssh-host-key-unknown",
    "ssh-connect-failed",
    "https-credentials-missing",
    "https-auth-rejected",
    "https-forbidden",
    "repo-not-found",
    "dns-resolution-failed",
    "network-connect-failed",
    "proxy-failure",
    "tls-certificate",
    "unknown-revision",
    "vcs-dubious-ownership",
    "vcs-stamping-failed",
    "private-module-via-proxy",
    "sumdb-verify-failed",
    "checksum-mismatch",
    "module-path-mismatch",
    "vcs-cache-corrupt",
    "govcs-disallowed",
    "insecure-scheme",
    "go-import-meta",
    "toolchain-download-failed",
    "unclassified",
];
