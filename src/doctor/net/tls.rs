//! The CA certificates go trusts, found the way go finds them on Linux
//! (`crypto/x509/root_linux.go` and `root_unix.go`), so that a probe of the
//! module proxy or the checksum database fails exactly when go's request
//! would: `SSL_CERT_FILE` replaces the list of bundle files (the first one
//! that can be read is used), `SSL_CERT_DIR` (colon-separated) replaces the
//! list of directories (every file in them is read).
//!
//! Other systems use their own verifiers in go; doctor uses the same files
//! there, which is right for containers and CI images (where these
//! problems happen) and may differ on a macOS desktop (docs/doctor.md).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// go's list of bundle files on Linux.
const CERT_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];
/// go's list of certificate directories on Linux.
const CERT_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// Where the roots came from (shown in detail lines).
#[derive(Debug, Clone, Default)]
pub struct Roots {
    pub file: Option<PathBuf>,
    pub dirs: Vec<PathBuf>,
    pub count: usize,
}

/// The roots go would use with these `SSL_CERT_FILE` / `SSL_CERT_DIR`.
pub fn load(
    ssl_cert_file: Option<&str>,
    ssl_cert_dir: Option<&str>,
) -> (rustls::RootCertStore, Roots) {
    let mut store = rustls::RootCertStore::empty();
    let mut info = Roots::default();
    let files: Vec<PathBuf> = match ssl_cert_file.filter(|s| !s.is_empty()) {
        Some(f) => vec![PathBuf::from(f)],
        None => CERT_FILES.iter().map(PathBuf::from).collect(),
    };
    for f in files {
        if let Ok(data) = std::fs::read(&f) {
            info.count += add_pem(&mut store, &data);
            info.file = Some(f);
            break;
        }
    }
    let dirs: Vec<PathBuf> = match ssl_cert_dir.filter(|s| !s.is_empty()) {
        Some(d) => d
            .split(':')
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect(),
        None => CERT_DIRS.iter().map(PathBuf::from).collect(),
    };
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut any = false;
        for e in entries.flatten() {
            if let Ok(data) = std::fs::read(e.path()) {
                info.count += add_pem(&mut store, &data);
                any = true;
            }
        }
        if any {
            info.dirs.push(d);
        }
    }
    (store, info)
}

/// Number of certificates in a PEM file (0 when none or unreadable).
pub fn count_in_file(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |data| {
        CertificateDer::pem_slice_iter(&data)
            .filter(Result::is_ok)
            .count()
    })
}

fn add_pem(store: &mut rustls::RootCertStore, data: &[u8]) -> usize {
    let certs = CertificateDer::pem_slice_iter(data).filter_map(Result::ok);
    store.add_parsable_certificates(certs).0
}

/// The client configuration for the process environment, built once.
pub fn client_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let file = std::env::var("SSL_CERT_FILE").ok();
            let dir = std::env::var("SSL_CERT_DIR").ok();
            config_with(load(file.as_deref(), dir.as_deref()).0)
        })
        .clone()
}

/// A client configuration trusting `roots` (tests use their own).
pub fn config_with(roots: rustls::RootCertStore) -> Arc<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}
