//! What ssh would do for a host, asked of ssh itself: `ssh -G` prints the
//! configuration it would use (after `~/.ssh/config`, `Host` aliases,
//! `Hostname`, `Port`, `ProxyJump`…) without connecting; `ssh-keygen -F`
//! looks a host up in known_hosts (hashed entries too); `ssh-add -l` lists
//! the agent's keys.  All three only read.
//!
//! ssh expands `~` with the home directory of the *account*, not `$HOME`
//! (OpenSSH uses the password database), which is why doctor reads the
//! paths from `ssh -G` instead of guessing them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::exec;

/// The options doctor adds to every ssh it runs (and to git's ssh): never
/// ask, never write known_hosts (no `accept-new`, no `UpdateHostKeys`),
/// never start or reuse a connection master.
pub fn batch_options(connect_timeout: Duration) -> Vec<String> {
    let secs = connect_timeout.as_secs().max(1);
    [
        "BatchMode=yes".to_owned(),
        "StrictHostKeyChecking=yes".to_owned(),
        "UpdateHostKeys=no".to_owned(),
        "ControlMaster=no".to_owned(),
        "ControlPath=none".to_owned(),
        "ForwardAgent=no".to_owned(),
        "ClearAllForwardings=yes".to_owned(),
        "PermitLocalCommand=no".to_owned(),
        format!("ConnectTimeout={secs}"),
    ]
    .into_iter()
    .flat_map(|o| ["-o".to_owned(), o])
    .collect()
}

/// The configuration ssh would use for one destination.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostConfig {
    pub hostname: String,
    pub port: u16,
    pub user: Option<String>,
    pub identity_files: Vec<PathBuf>,
    pub known_hosts_files: Vec<PathBuf>,
    pub host_key_alias: Option<String>,
    /// `ProxyCommand` or `ProxyJump`, when set.
    pub proxy: Option<String>,
    pub strict_host_key_checking: Option<String>,
}

impl HostConfig {
    /// The name known_hosts must list: the alias, `host`, or `[host]:port`.
    pub fn known_hosts_name(&self) -> String {
        let host = self.host_key_alias.as_deref().unwrap_or(&self.hostname);
        if self.port == 22 {
            host.to_owned()
        } else {
            format!("[{host}]:{}", self.port)
        }
    }
}

/// The account's home directory, as ssh expands `~`.
pub fn account_home() -> Option<PathBuf> {
    #[cfg(unix)]
    {
        nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map(|u| u.dir)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Runs `ssh -G [-p PORT] [USER@]HOST`.
pub fn host_config(
    ssh: &Path,
    user: Option<&str>,
    host: &str,
    port: Option<u16>,
    timeout: Duration,
) -> Result<HostConfig, String> {
    let mut cmd = Command::new(ssh);
    exec::noninteractive(&mut cmd);
    cmd.arg("-G");
    if let Some(p) = port {
        cmd.args(["-p", &p.to_string()]);
    }
    cmd.arg(match user {
        Some(u) => format!("{u}@{host}"),
        None => host.to_owned(),
    });
    let out = exec::run(cmd, timeout).map_err(|e| format!("cannot run {}: {e}", ssh.display()))?;
    if !out.success() {
        let err = out.stderr_text();
        return Err(err
            .trim()
            .lines()
            .last()
            .unwrap_or("ssh -G failed")
            .to_owned());
    }
    Ok(parse_g(&out.stdout_text(), account_home().as_deref()))
}

/// Parses `ssh -G` output.
pub fn parse_g(text: &str, home: Option<&Path>) -> HostConfig {
    let expand = |p: &str| -> PathBuf {
        match (p.strip_prefix("~/"), home) {
            (Some(rest), Some(h)) => h.join(rest),
            _ => PathBuf::from(p),
        }
    };
    let mut c = HostConfig {
        port: 22,
        ..HostConfig::default()
    };
    for line in text.lines() {
        let Some((k, v)) = line.split_once(' ') else {
            continue;
        };
        let v = v.trim();
        match k {
            "hostname" => c.hostname = v.to_owned(),
            "port" => c.port = v.parse().unwrap_or(22),
            "user" => c.user = Some(v.to_owned()),
            "identityfile" => c.identity_files.push(expand(v)),
            "userknownhostsfile" | "globalknownhostsfile" => {
                c.known_hosts_files.extend(v.split_whitespace().map(expand));
            }
            "hostkeyalias" => c.host_key_alias = Some(v.to_owned()),
            "proxycommand" | "proxyjump" if v != "none" => c.proxy = Some(format!("{k} {v}")),
            "stricthostkeychecking" => c.strict_host_key_checking = Some(v.to_owned()),
            _ => {}
        }
    }
    c
}

/// Where `name` is listed in the known_hosts files (the files that list it).
pub fn known_host_files(
    keygen: &Path,
    name: &str,
    files: &[PathBuf],
    timeout: Duration,
) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|f| f.is_file())
        .filter(|f| {
            let mut cmd = Command::new(keygen);
            cmd.args(["-F", name, "-f"]).arg(f);
            exec::run(cmd, timeout).is_ok_and(|o| o.success() && !o.stdout.is_empty())
        })
        .cloned()
        .collect()
}

/// What the agent holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agent {
    /// `SSH_AUTH_SOCK` unset, or nothing answers there.
    None(String),
    /// An agent without keys.
    Empty,
    /// `ssh-add -l` lines: `BITS SHA256:… COMMENT (TYPE)`.
    Keys(Vec<String>),
    /// ssh-add could not be run.
    Unknown(String),
}

/// `ssh-add -l`: exit 0 keys, 1 no identities, 2 no agent.
pub fn agent(ssh_add: &Path, timeout: Duration) -> Agent {
    let mut cmd = Command::new(ssh_add);
    cmd.arg("-l");
    match exec::run(cmd, timeout) {
        Err(e) => Agent::Unknown(e.to_string()),
        Ok(o) => match o.code() {
            Some(0) => Agent::Keys(
                o.stdout_text()
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            Some(1) => Agent::Empty,
            _ if o.timed_out() => Agent::Unknown("ssh-add -l did not answer".to_owned()),
            _ => Agent::None(o.stderr_text().trim().to_owned()),
        },
    }
}

/// The key type and comment of an `ssh-add -l` line (`ED25519 dev@laptop`),
/// without the fingerprint.
pub fn key_label(line: &str) -> String {
    let mut w = line.split_whitespace();
    let _bits = w.next();
    let _fp = w.next();
    let rest: Vec<&str> = w.collect();
    match rest.split_last() {
        Some((ty, comment)) => {
            let ty = ty.trim_start_matches('(').trim_end_matches(')');
            if comment.is_empty() {
                ty.to_owned()
            } else {
                format!("{ty} {}", comment.join(" "))
            }
        }
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ssh_g() {
        let c = parse_g(
            "host github.com\nhostname ssh.github.com\nport 443\nuser git\nidentityfile ~/.ssh/id_ed25519\nidentityfile ~/.ssh/id_rsa\nuserknownhostsfile ~/.ssh/known_hosts ~/.ssh/known_hosts2\nglobalknownhostsfile /etc/ssh/ssh_known_hosts\nproxyjump none\nstricthostkeychecking ask\n",
            Some(Path::new("/home/u")),
        );
        assert_eq!(c.hostname, "ssh.github.com");
        assert_eq!(c.port, 443);
        assert_eq!(c.identity_files[0], Path::new("/home/u/.ssh/id_ed25519"));
        assert_eq!(c.known_hosts_files.len(), 3);
        assert_eq!(c.proxy, None);
        assert_eq!(c.known_hosts_name(), "[ssh.github.com]:443");
    }

    #[test]
    fn agent_key_labels() {
        assert_eq!(
            key_label("256 SHA256:abcdef dev@laptop (ED25519)"),
            "ED25519 dev@laptop"
        );
        assert_eq!(key_label("3072 SHA256:x  (RSA)"), "RSA");
    }
}
