//! Helpers shared by unit tests.

/// Writes an executable file (mode 755), creating its directory.
#[cfg(unix)]
pub(crate) fn write_exe(path: &std::path::Path, body: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
