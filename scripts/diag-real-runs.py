#!/usr/bin/env python3
"""Regenerates fixtures/diag/: real failures of the installed go toolchains.

No servers of the failure lab are needed: repositories are local bare git
repositories reached through a git `insteadOf` rewrite of https://github.com/
to file://, other failures use loopback addresses where nothing listens, a
tiny loopback HTTP(S) server (404s, a self-signed certificate), `.invalid`
names, a repository owned by another user, a bogus GOTOOLCHAIN...  Every
transcript is go's and git's real stderr; the only change is that the
throw-away work directory is printed as /w.

Each file starts with one header line in the lab's format:
  # gotriage-diag exit=N go=V lang=L git=G scenario=S cmd=C expect=ID | COMMAND

Usage: scripts/diag-real-runs.py [--go 1.27.3,...] [--only GLOB]
Needs root (a repository owned by another uid, ports 80/443 on 127.0.0.x).
"""

import argparse
import fnmatch
import http.server
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("GOTRIAGE_GO_CACHE", ROOT / ".cache/go"))
VERSIONS = ["1.19.8", "1.21.13", "1.24.11", "1.27.3"]
HTTP_IP = "127.0.0.58"  # our own loopback address: no clash with the lab


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path.startswith("/auth/"):
            body = b"unauthorized\n"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Type", "text/plain")
        elif self.path.startswith("/nometa"):
            body = b"<html><head><title>no meta here</title></head></html>\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
        else:
            body = b"<html><body>404 page not found</body></html>\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(work: Path):
    http_srv = http.server.ThreadingHTTPServer((HTTP_IP, 80), Handler)
    threading.Thread(target=http_srv.serve_forever, daemon=True).start()
    key, crt = work / "tls.key", work / "tls.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={HTTP_IP}", "-addext", f"subjectAltName=IP:{HTTP_IP}",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    https_srv = http.server.ThreadingHTTPServer((HTTP_IP, 443), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    https_srv.socket = ctx.wrap_socket(https_srv.socket, server_side=True)
    threading.Thread(target=https_srv.serve_forever, daemon=True).start()


def git(*args, cwd=None, env=None):
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_repo(repos: Path, name: str, module: str, tags: list[str]):
    src = repos / "src" / name
    src.mkdir(parents=True)
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@a", GIT_COMMITTER_NAME="a",
               GIT_COMMITTER_EMAIL="a@a", GIT_CONFIG_GLOBAL="/dev/null")
    git("init", "-q", "-b", "main", cwd=src, env=env)
    (src / "go.mod").write_text(f"module {module}\n\ngo 1.19\n")
    (src / "api.go").write_text("package api\n\nconst V = 1\n")
    git("add", ".", cwd=src, env=env)
    git("commit", "-qm", "one", cwd=src, env=env)
    for t in tags:
        (src / "api.go").write_text(f"package api\n\nconst V = \"{t}\"\n")
        git("commit", "-qam", t, cwd=src, env=env)
        git("tag", t, cwd=src, env=env)
    bare = repos / name
    bare.parent.mkdir(parents=True, exist_ok=True)
    git("clone", "-q", "--bare", str(src), str(bare), env=env)


# scenario, expected ID, command (run in a fresh module), options
S = []


def scenario(name, expect, cmd, **opt):
    S.append(dict(name=name, expect=expect, cmd=cmd, **opt))


PRIV = {"GOPRIVATE": "github.com/acme"}
scenario("unknown-revision", "unknown-revision", "go get github.com/acme/api@v9.9.9", env=PRIV)
scenario("repo-missing-local", "repo-not-found", "go get github.com/acme/missing@v1.0.0", env=PRIV)
scenario("module-path-mismatch", "module-path-mismatch", "go get github.com/acme/renamed@v1.0.0", env=PRIV)
scenario("checksum-mismatch", "checksum-mismatch", "go mod download github.com/acme/api", env=PRIV,
         before="go get github.com/acme/api@v1.0.0", tamper=True)
scenario("git-missing", "git-not-found", "go get github.com/acme/api@v1.0.0", env=PRIV, nogit=True)
scenario("git-config-bad-line", "git-config-invalid", "go get github.com/acme/api@v1.0.0", env=PRIV,
         gitconfig_extra="[url\n\tbroken = = yes\n")
scenario("dns-meta", "dns-resolution-failed", "go get nosuch.invalid/x/y@v1.0.0",
         env={"GOPROXY": "direct", "GOSUMDB": "off"})
scenario("dns-git", "dns-resolution-failed", "go get github.com/acme/api@v1.0.0", env=PRIV,
         insteadof="https://nosuch.invalid/")
scenario("connect-refused-git", "network-connect-failed", "go get github.com/acme/api@v1.0.0", env=PRIV,
         insteadof="http://127.0.0.1:9/")
scenario("connect-refused-proxy", "network-connect-failed", "go get golang.org/x/mod@v0.20.0",
         env={"GOPROXY": "http://127.0.0.1:9"})
scenario("ssh-refused", "ssh-connect-failed", "go get github.com/acme/api@v1.0.0", env=PRIV,
         insteadof="ssh://git@127.0.0.1:9/")
scenario("proxy-refused", "proxy-failure", "go get golang.org/x/mod@v0.20.0",
         env={"GOPROXY": "https://proxy.golang.org", "HTTPS_PROXY": "http://127.0.0.1:9"})
scenario("tls-selfsigned-proxy", "tls-certificate", "go get golang.org/x/mod@v0.20.0",
         env={"GOPROXY": f"https://{HTTP_IP}/proxy"})
scenario("tls-selfsigned-git", "tls-certificate", "go get github.com/acme/api@v1.0.0", env=PRIV,
         insteadof=f"https://{HTTP_IP}/")
scenario("https-wrong-password", "https-auth-rejected", "go get github.com/acme/api@v1.0.0", env=PRIV,
         insteadof=f"http://{HTTP_IP}/auth/", credentials=True)
scenario("govcs-off", "govcs-disallowed", "go get github.com/acme/api@v1.0.0",
         env=dict(PRIV, GOVCS="private:off"))
scenario("toolchain-missing", "toolchain-download-failed", "go version",
         env={"GOTOOLCHAIN": "go1.99.1", "GOPROXY": f"http://{HTTP_IP}/proxy"}, min_go="1.21")
scenario("toolchain-language-version", "toolchain-download-failed", "go version",
         env={"GOTOOLCHAIN": "go1.99"}, min_go="1.21")
# go.mod needs a newer go and GOTOOLCHAIN=local forbids fetching it: the
# toolchain the command needs cannot be had (fix: allow the switch, or install it).
scenario("toolchain-too-new-local", "toolchain-download-failed", "go build ./...",
         gomod_go="1.99.1", min_go="1.21")
scenario("dubious-ownership-v", "vcs-dubious-ownership", "go build -v -o /dev/null .", repo_owner=65534)
scenario("stamping-broken-git", "vcs-stamping-failed", "go build -o /dev/null .", broken_git=True)
scenario("insecure-proxy-credentials", "insecure-scheme", "go get golang.org/x/mod@v0.20.0",
         env={"GOPROXY": "http://alice:s3cret@127.0.0.1:9"})
scenario("proxy-404-private", "private-module-via-proxy", "go get github.com/acme/api@v1.0.0",
         env={"GOPROXY": f"http://{HTTP_IP}/proxy", "GONOSUMDB": "github.com/acme"})
# go's own lookup found nothing at the path: go-import-meta (repo-not-found its alternative).
scenario("meta-404", "go-import-meta", f"go get {HTTP_IP}/vanity/x@v1.0.0",
         env={"GOPROXY": "direct", "GOSUMDB": "off", "GOINSECURE": HTTP_IP})
scenario("meta-none", "go-import-meta", f"go get {HTTP_IP}/nometa/x@v1.0.0",
         env={"GOPROXY": "direct", "GOSUMDB": "off", "GOINSECURE": HTTP_IP})


def ver_ge(v, m):
    return tuple(map(int, v.split("."))) >= tuple(map(int, m.split(".")))


def run_one(sc, v, work: Path, repos: Path, lang: str):
    gobin = CACHE / v / "bin"
    d = Path(tempfile.mkdtemp(dir=work))
    home, gopath, mod = d / "home", d / "gopath", d / "mod"
    for p in (home, gopath, mod):
        p.mkdir()
    (mod / "go.mod").write_text(f"module example.com/m\n\ngo {sc.get('gomod_go', '1.19')}\n")
    (mod / "main.go").write_text("package main\n\nfunc main() {}\n")
    insteadof = sc.get("insteadof", f"file://{repos}/")
    (home / ".gitconfig").write_text(
        f'[url "{insteadof}"]\n\tinsteadOf = https://github.com/\n' + sc.get("gitconfig_extra", ""))
    if sc.get("credentials"):
        # A stored credential the server rejects (an expired token).
        (home / ".git-credentials").write_text(f"http://alice:expired-token@{HTTP_IP}\n")
        os.chmod(home / ".git-credentials", 0o600)
        with open(home / ".gitconfig", "a") as f:
            f.write(f"[credential]\n\thelper = store --file={home}/.git-credentials\n")
    path = f"{gobin}:/usr/bin:/bin"
    if sc.get("nogit"):
        path = str(gobin)
    env = {"HOME": str(home), "PATH": path, "GOPATH": str(gopath), "GOFLAGS": "-modcacherw",
           "GOTOOLCHAIN": "local", "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
           "GIT_CONFIG_NOSYSTEM": "1", "GOENV": "off", "GOCACHE": str(d / "cache"),
           "LANG": "zh_CN.UTF-8" if lang == "zh" else "C.UTF-8"}
    env.update(sc.get("env", {}))
    if sc.get("before"):
        subprocess.run(sc["before"], shell=True, cwd=mod, env=env, capture_output=True, timeout=120)
    if sc.get("corrupt"):
        for h in (gopath / "pkg/mod/cache/vcs").glob("*"):
            if h.is_dir():
                shutil.rmtree(h / "objects")
                (h / "objects").mkdir()
        shutil.rmtree(gopath / "pkg/mod/cache/download", ignore_errors=True)
    if sc.get("tamper"):
        subprocess.run("go clean -modcache", shell=True, cwd=mod, env=env, capture_output=True)
        s = (mod / "go.sum").read_text().splitlines()
        s = [l.rsplit(" ", 1)[0] + " h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" if "/go.mod" not in l else l
             for l in s]
        (mod / "go.sum").write_text("\n".join(s) + "\n")
    if sc.get("repo_owner") or sc.get("broken_git"):
        e = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@a",
                 GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@a")
        git("init", "-q", cwd=mod, env=e)
        git("add", ".", cwd=mod, env=e)
        git("commit", "-qm", "x", cwd=mod, env=e)
        if sc.get("repo_owner"):
            for p in [mod, *mod.rglob("*")]:
                os.lchown(p, sc["repo_owner"], sc["repo_owner"])
        if sc.get("broken_git"):
            shutil.rmtree(mod / ".git" / "objects")
            (mod / ".git" / "objects").mkdir()
    p = subprocess.run(sc["cmd"], shell=True, cwd=mod, env=env, capture_output=True, timeout=120)
    gitv = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.split()[-1]
    stderr = p.stderr.replace(str(d).encode(), b"/w/run").replace(str(work).encode(), b"/w")
    header = (f"# gotriage-diag exit={p.returncode} go={v} lang={lang} git={gitv} "
              f"scenario={sc['name']} cmd=default expect={sc['expect']} | {sc['cmd']}")
    shutil.rmtree(d, ignore_errors=True)
    return p.returncode, header.encode() + b"\n" + stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--go", default=",".join(VERSIONS))
    ap.add_argument("--only")
    ap.add_argument("--out", default=str(ROOT / "fixtures/diag"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="gtdiag"))
    os.chmod(work, 0o755)
    repos = work / "repos"
    make_repo(repos, "acme/api", "github.com/acme/api", ["v1.0.0", "v1.1.0"])
    make_repo(repos, "acme/renamed", "github.com/acme/oldname", ["v1.0.0"])
    serve(work)
    for sc in S:
        if args.only and not fnmatch.fnmatch(sc["name"], args.only):
            continue
        langs = ["en", "zh"] if sc.get("zh", True) else ["en"]
        for v in args.go.split(","):
            if sc.get("min_go") and not ver_ge(v, sc["min_go"]):
                continue
            for lang in langs:
                if lang == "zh" and v not in ("1.27.3",):
                    continue
                code, text = run_one(sc, v, work, repos, lang)
                if code == 0:
                    print(f"{sc['name']} go{v} {lang}: unexpectedly succeeded", file=sys.stderr)
                    continue
                name = f"{sc['name']}.go{v}.{lang}.txt"
                (out / name).write_bytes(text)
                print(f"{name}: exit {code}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
