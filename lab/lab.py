#!/usr/bin/env python3
"""The failure lab's scenario runner (standard library only).

    lab.py list [--json]                       scenarios, commands, expected IDs
    lab.py run SCENARIO CMD --go V [--lang en|zh|de|…] [--shim GOTRIAGE] [--keep]
                                               one run; prints a JSON result
    lab.py fixtures [--jobs N] [--out DIR] [--go V,...] [--only GLOB] [--langs L,...]
                                               regenerate fixtures/lab/

Scenarios are lab/scenarios/*.toml (see docs/lab.md).  Runs need a running
lab (lab/labctl start); `fixtures` starts one itself when none runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LAB_DIR = Path(__file__).resolve().parent
REPO_DIR = LAB_DIR.parent
SCENARIO_DIR = LAB_DIR / "scenarios"
DEFAULT_OUT = REPO_DIR / "fixtures" / "lab"
DEFAULT_LAB_NET = "127.0.77"
# Languages every scenario runs in, on every Go version: English (the newest
# git, /usr/local/bin) and Chinese (zh_CN, Debian's git with its catalogs).
LANGS = ("en", "zh")
# Every other translation Debian's git ships (/usr/share/locale/*/LC_MESSAGES/
# git.mo), run on TRANSLATION_GO only.  A transcript is kept only where git's
# text differs from the same git's English (the `base` run, never written):
# the index records the rest as `same_as_english`.
TRANSLATIONS = ("bg", "ca", "de", "el", "es", "fr", "id", "is", "it", "ko", "pl", "pt_PT",
                "ru", "sv", "tr", "vi", "zh_TW")
TRANSLATION_GO = ("1.27.3",)
# Debian's git in English: what a translation's transcript is compared with.
BASE = "base"
# The LANGUAGE value per language code.
GETTEXT_LANGUAGE = {"zh": "zh_CN", **{t: t for t in TRANSLATIONS}}
# Every ID of the taxonomy in docs/design.md §4 (kept here so that a typo in a
# scenario file is an error, not a new ID).
TAXONOMY = (
    "git-not-found", "git-config-invalid", "ssh-publickey-denied", "ssh-host-key-unknown",
    "ssh-connect-failed", "https-credentials-missing", "https-auth-rejected", "https-forbidden",
    "repo-not-found", "dns-resolution-failed", "network-connect-failed", "proxy-failure",
    "tls-certificate", "unknown-revision", "vcs-dubious-ownership", "vcs-stamping-failed",
    "private-module-via-proxy", "sumdb-verify-failed", "checksum-mismatch",
    "module-path-mismatch", "vcs-cache-corrupt", "govcs-disallowed", "insecure-scheme",
    "go-import-meta", "toolchain-download-failed", "unclassified",
)


def conf_versions() -> list[str]:
    """LAB_GO_VERSIONS from lab.conf (without starting anything)."""
    text = (LAB_DIR / "lab.conf").read_text()
    m = re.search(r'^LAB_GO_VERSIONS="([^"]*)"', text, re.M)
    return m.group(1).split() if m else []


def version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


# ------------------------------------------------------------------ scenarios


@dataclass
class Command:
    scenario: "Scenario"
    name: str
    argv: list[str]
    expect: str
    setup: str
    env: dict[str, str]
    unset: list[str]
    go: str
    timeout: int
    trust: str
    path: str
    uid: str
    exit: int | None
    not_applicable: str

    @property
    def key(self) -> str:
        return f"{self.scenario.name}.{self.name}"

    def applies(self, version: str) -> bool:
        return version_matches(self.go, version)

    @property
    def command_line(self) -> str:
        env = "".join(f"{k}={shlex.quote(v)} " for k, v in self.env.items())
        return env + shlex.join(self.argv)


@dataclass
class Scenario:
    name: str
    file: Path
    about: str
    expect: str
    not_applicable: str
    # The commands the e2e tier runs (`e2e = "cmd"` or a list of them).
    e2e: list[str]
    commands: list[Command] = field(default_factory=list)


def version_matches(spec: str, version: str) -> bool:
    spec = spec.strip()
    if spec in ("", "all"):
        return True
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"(>=|<=|>|<|==)?\s*([0-9.]+)", part)
        if not m:
            raise ValueError(f"bad go version spec {spec!r}")
        op, want = m.group(1) or "==", version_key(m.group(2))
        have = version_key(version)[: len(want)]
        ok = {
            ">=": have >= want, "<=": have <= want, ">": have > want,
            "<": have < want, "==": have == want,
        }[op]
        if not ok:
            return False
    return True


ALLOWED_SCENARIO_KEYS = {
    "about", "expect", "go", "not_applicable", "timeout", "env", "unset", "setup", "trust",
    "path", "uid", "e2e", "cmd", "exit",
}
ALLOWED_CMD_KEYS = {
    "run", "expect", "setup", "env", "unset", "go", "timeout", "trust", "path", "uid", "exit",
    "not_applicable",
}


def load_scenarios() -> list[Scenario]:
    scenarios = []
    for file in sorted(SCENARIO_DIR.glob("*.toml")):
        with file.open("rb") as f:
            data = tomllib.load(f)
        name = file.stem
        bad = set(data) - ALLOWED_SCENARIO_KEYS
        if bad:
            raise SystemExit(f"{file}: unknown keys {sorted(bad)}")
        expect = data.get("expect", "")
        e2e = data.get("e2e", [])
        e2e = [e2e] if isinstance(e2e, str) else e2e
        if not isinstance(e2e, list) or not all(isinstance(e, str) for e in e2e):
            raise SystemExit(f"{file}: e2e must be a command name or a list of them")
        sc = Scenario(
            name=name, file=file, about=data.get("about", ""), expect=expect,
            not_applicable=data.get("not_applicable", ""), e2e=e2e,
        )
        cmds = data.get("cmd", {})
        if not cmds:
            raise SystemExit(f"{file}: no [cmd.NAME] tables")
        for cname, c in cmds.items():
            bad = set(c) - ALLOWED_CMD_KEYS
            if bad:
                raise SystemExit(f"{file}: cmd.{cname}: unknown keys {sorted(bad)}")
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", cname):
                raise SystemExit(f"{file}: bad command name {cname!r}")
            argv = shlex.split(c["run"])
            if not argv or argv[0] != "go":
                raise SystemExit(f"{file}: cmd.{cname}: run must start with go")
            cmd = Command(
                scenario=sc, name=cname, argv=argv,
                expect=c.get("expect", expect),
                setup="\n".join(s for s in (data.get("setup", ""), c.get("setup", "")) if s),
                env={**data.get("env", {}), **c.get("env", {})},
                unset=[*data.get("unset", []), *c.get("unset", [])],
                go=c.get("go", data.get("go", "all")),
                timeout=int(c.get("timeout", data.get("timeout", 30))),
                trust=c.get("trust", data.get("trust", "lab")),
                path=c.get("path", data.get("path", "default")),
                uid=str(c.get("uid", data.get("uid", ""))),
                exit=c.get("exit", data.get("exit")),
                not_applicable=c.get("not_applicable", data.get("not_applicable", "")),
            )
            if cmd.expect not in TAXONOMY:
                raise SystemExit(f"{file}: cmd.{cname}: expect {cmd.expect!r} is not a taxonomy ID")
            if cmd.trust not in ("lab", "system"):
                raise SystemExit(f"{file}: cmd.{cname}: trust must be lab or system")
            if cmd.path not in ("default", "nogit"):
                raise SystemExit(f"{file}: cmd.{cname}: path must be default or nogit")
            sc.commands.append(cmd)
        for e in sc.e2e:
            if e not in cmds:
                raise SystemExit(f"{file}: e2e names unknown command {e!r}")
        scenarios.append(sc)
    return scenarios


# ------------------------------------------------------------------------ lab


class Lab:
    def __init__(self) -> None:
        self.run_dir = Path(os.environ.get("LAB_RUN", LAB_DIR / "run"))
        conf = self.run_dir / "lab.json"
        if not conf.exists():
            raise RuntimeError(f"the lab is not running ({conf} missing): lab/labctl start")
        self.conf: dict[str, str] = json.loads(conf.read_text())
        self.holder = self.conf["LAB_HOLDER_PID"]
        try:
            comm = Path(f"/proc/{self.holder}/comm").read_text().strip()
        except OSError:
            comm = ""
        if comm != "sleep":
            raise RuntimeError("the lab's namespace holder is gone: lab/labctl stop; lab/labctl start")
        self.go_cache = Path(self.conf["LAB_GO_CACHE"])
        self.net = self.conf["LAB_NET"]
        self.sb_root = self.run_dir / "sb"
        self.sb_root.mkdir(exist_ok=True)
        self._seq = 0
        self._lock = threading.Lock()

    def goroot(self, version: str) -> Path:
        return self.go_cache / version

    def inside(self, path: Path) -> str:
        """A run-dir path as seen inside the namespace (/srv/...)."""
        return "/srv/" + str(path.relative_to(self.run_dir))

    def env_for(self, cmd: Command, version: str, lang: str, shim_dir: str | None) -> tuple[dict, dict]:
        goroot = self.goroot(version)
        if lang != "en":
            # Debian's git (with translations) first.
            system = "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin"
        else:
            system = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        base = {
            "HOME": "/root", "USER": "root", "LOGNAME": "root", "LANG": "C.UTF-8",
            "GOSUMDB": self.conf["LAB_GOSUMDB"],
            # One build cache per go version for all runs (compiling the
            # standard library once, not per run); never seen in stderr.
            "GOCACHE": f"/srv/cache/go-build-{version}",
        }
        if lang in GETTEXT_LANGUAGE:
            base["LANGUAGE"] = GETTEXT_LANGUAGE[lang]
        setup_env = dict(base, PATH=f"{goroot}/bin:{system}")
        setup_env.update({k: v for k, v in self.conf.items() if k.startswith("LAB_")})
        cmd_path = f"{goroot}/bin" if cmd.path == "nogit" else f"{goroot}/bin:{system}"
        if shim_dir:
            cmd_path = f"{shim_dir}:{cmd_path}"
        cmd_env = dict(base, PATH=cmd_path)
        for env in (setup_env, cmd_env):
            env.update(cmd.env)
            for k in cmd.unset:
                env.pop(k, None)
        if cmd.uid:
            cmd_env["USER"] = cmd_env["LOGNAME"] = "builder"
        return setup_env, cmd_env

    def run(self, cmd: Command, version: str, lang: str, shim: str | None = None,
            keep: bool = False) -> dict:
        with self._lock:
            self._seq += 1
            seq = self._seq
        mode = "shim" if shim else "direct"
        sb = self.sb_root / f"{os.getpid()}-{seq}-{version}-{cmd.key}-{lang}-{mode}"
        if sb.exists():
            shutil.rmtree(sb)
        sb.mkdir(parents=True)
        shim_dir = None
        if shim:
            (sb / "shim").mkdir()
            (sb / "shim" / "go").symlink_to(Path(shim).resolve())
            shim_dir = self.inside(sb / "shim")
        setup_env, cmd_env = self.env_for(cmd, version, lang, shim_dir)

        def nul(items) -> bytes:
            return b"".join(x.encode() + b"\0" for x in items)

        (sb / "setup.env").write_bytes(nul(f"{k}={v}" for k, v in setup_env.items()))
        (sb / "cmd.env").write_bytes(nul(f"{k}={v}" for k, v in cmd_env.items()))
        (sb / "argv").write_bytes(nul(cmd.argv))
        (sb / "setup.sh").write_text(cmd.setup + "\n")
        (sb / "opts").write_text(
            f"TIMEOUT={cmd.timeout}\nTRUST={cmd.trust}\nUID_AS={shlex.quote(cmd.uid)}\n")
        start = time.monotonic()
        proc = subprocess.run(
            ["nsenter", "-t", self.holder, "-m", "--", "unshare", "--mount",
             "--propagation", "private", "--", str(LAB_DIR / "bin" / "sandbox"), self.inside(sb)],
            stdin=subprocess.DEVNULL, capture_output=True, start_new_session=True,
            timeout=cmd.timeout + 120,
        )
        elapsed = time.monotonic() - start
        out = sb / "out"
        result = {
            "scenario": cmd.scenario.name, "cmd": cmd.name, "go_version": version, "lang": lang,
            "mode": mode, "expected_id": cmd.expect, "command": cmd.command_line,
            "seconds": round(elapsed, 2), "dir": str(sb),
        }
        exit_text = (out / "exit").read_text().strip() if (out / "exit").exists() else ""
        if proc.returncode != 0 or not exit_text:
            result["error"] = (f"sandbox failed (status {proc.returncode}): "
                               + proc.stderr.decode(errors="replace")[-2000:])
            return result
        if exit_text == "setup-failed":
            result["error"] = "setup failed:\n" + (out / "setup.log").read_text(errors="replace")[-3000:]
            return result
        result["exit"] = int(exit_text)
        git = (out / "git").read_text().split()
        if git != ["none"] and len(git) != 2:
            result["error"] = f"could not tell which git runs: {git}"
            return result
        result["git"] = git[1] if len(git) == 2 else "none"
        result["git_path"] = git[0] if len(git) == 2 else ""
        result["go_path"] = (out / "go").read_text().strip()
        result["stderr_raw"] = (out / "stderr").read_bytes()
        result["stdout_raw"] = (out / "stdout").read_bytes()
        result["stderr"] = self.normalize(result["stderr_raw"], version)
        result["stdout"] = self.normalize(result["stdout_raw"], version)
        if result["exit"] == 124:
            result["error"] = f"timed out after {cmd.timeout}s (scenarios must be bounded)"
        if not keep:
            shutil.rmtree(sb, ignore_errors=True)
            result.pop("dir")
        return result

    def normalize(self, data: bytes, version: str) -> bytes:
        """Stable placeholders for what varies between machines and runs."""
        goroot = str(self.goroot(version))
        data = data.replace(goroot.encode(), b"$GOROOT")
        real = os.path.realpath(goroot)
        if real != goroot:
            data = data.replace(real.encode(), b"$GOROOT")
        if self.net != DEFAULT_LAB_NET:
            data = re.sub(re.escape(self.net.encode()) + rb"\.(\d+)", DEFAULT_LAB_NET.encode() + rb".\1", data)
        for pattern, repl in NORMALIZE:
            data = pattern.sub(repl, data)
        return data


# Values that change from run to run, replaced by a placeholder.
NORMALIZE = [
    # curl: "Failed to connect to H port 443 after 3 ms"
    (re.compile(rb"after \d+ ms"), b"after $MS ms"),
    # go: the local end of a TCP connection ("read tcp 127.0.0.1:40212->...")
    (re.compile(rb"(tcp \d+\.\d+\.\d+\.\d+):\d+->"), rb"\1:$PORT->"),
    # go: temporary build directories
    (re.compile(rb"/tmp/go-build\d+"), b"/tmp/go-build$N"),
    # Byte counts and stream numbers of a transfer cut short (curl, go's
    # HTTP/2 client: never translated).
    (re.compile(rb"transfer closed with \d+ bytes remaining"), b"transfer closed with $N bytes remaining"),
    (re.compile(rb"HTTP/2 stream \d+ was not closed cleanly"), b"HTTP/2 stream $N was not closed cleanly"),
    (re.compile(rb"stream error: stream ID \d+;"), b"stream error: stream ID $N;"),
]


# ------------------------------------------------------------------ commands


def cmd_list(args) -> int:
    scenarios = load_scenarios()
    versions = conf_versions()
    if args.json:
        out = []
        for sc in scenarios:
            for c in sc.commands:
                out.append({
                    "scenario": sc.name, "cmd": c.name, "expected_id": c.expect,
                    "command": c.command_line, "e2e": c.name in sc.e2e,
                    "go_versions": [v for v in versions if c.applies(v)],
                    "timeout": c.timeout,
                })
        print(json.dumps(out, indent=1))
        return 0
    for sc in scenarios:
        print(f"{sc.name}  [{sc.expect}]  {sc.about}")
        for c in sc.commands:
            vs = [v for v in versions if c.applies(v)]
            star = "*" if c.name in sc.e2e else " "
            print(f"  {star}{c.name:<12} {c.expect:<26} go {','.join(vs)}: {c.command_line}")
    return 0


def find_command(name: str, cname: str) -> Command:
    for sc in load_scenarios():
        if sc.name == name:
            for c in sc.commands:
                if c.name == cname:
                    return c
            raise SystemExit(f"scenario {name} has no command {cname}")
    raise SystemExit(f"no scenario {name}")


def cmd_run(args) -> int:
    cmd = find_command(args.scenario, args.cmd)
    lab = Lab()
    r = lab.run(cmd, args.go, args.lang, shim=args.shim, keep=args.keep)
    if args.save:
        # For the e2e tests: streams as files (bytes, normalized and raw),
        # everything else as JSON.
        save = Path(args.save)
        save.mkdir(parents=True, exist_ok=True)
        for k in ("stderr_raw", "stdout_raw", "stderr", "stdout"):
            (save / k.replace("_raw", ".raw")).write_bytes(r.pop(k, b""))
        (save / "result.json").write_text(json.dumps(r, indent=1) + "\n")
        return 0
    for k in ("stderr_raw", "stdout_raw", "stderr", "stdout"):
        if k in r:
            r[k] = r[k].decode("utf-8", errors="surrogateescape")
    if args.print:
        if "error" in r:
            print(r["error"], file=sys.stderr)
        sys.stdout.write(header(r) + "\n" + r.get("stderr", ""))
        return 0
    json.dump(r, sys.stdout, ensure_ascii=False, indent=1, default=str)
    print()
    return 0


def header(r: dict) -> str:
    return (f"# gotriage-lab exit={r.get('exit')} go={r['go_version']} lang={r['lang']} "
            f"git={r.get('git')} scenario={r['scenario']} cmd={r['cmd']} "
            f"expect={r['expected_id']} | {r['command']}")


def ensure_lab(started: list[bool]) -> Lab:
    try:
        return Lab()
    except RuntimeError:
        subprocess.run([str(LAB_DIR / "labctl"), "start"], check=True)
        started.append(True)
        return Lab()


def cmd_fixtures(args) -> int:
    scenarios = load_scenarios()
    versions = args.go.split(",") if args.go else conf_versions()
    started: list[bool] = []
    lab = ensure_lab(started)
    try:
        return generate(lab, scenarios, versions, args)
    finally:
        if started:
            subprocess.run([str(LAB_DIR / "labctl"), "stop"], check=False)


def generate(lab: Lab, scenarios: list[Scenario], versions: list[str], args) -> int:
    out_dir = Path(args.out)
    langs = args.langs.split(",") if args.langs else [*LANGS, *TRANSLATIONS]
    for lang in langs:
        if lang not in LANGS and lang not in TRANSLATIONS:
            raise SystemExit(f"unknown language {lang!r}")
    jobs, skipped = [], []
    for sc in scenarios:
        if args.only and not any(fnmatch.fnmatch(sc.name, g) for g in args.only.split(",")):
            continue
        for c in sc.commands:
            for v in versions:
                if not c.applies(v):
                    skipped.append({
                        "scenario": sc.name, "cmd": c.name, "go_version": v,
                        "expected_id": c.expect,
                        "reason": c.not_applicable or f"applies to go {c.go}",
                    })
                    continue
                for lang in LANGS:
                    if lang in langs:
                        jobs.append((c, v, lang))
                if v in TRANSLATION_GO and any(t in langs for t in TRANSLATIONS):
                    for lang in (BASE, *TRANSLATIONS):
                        if lang == BASE or lang in langs:
                            jobs.append((c, v, lang))
    # Slow commands first, so the pool drains evenly.
    jobs.sort(key=lambda j: -j[0].timeout)
    print(f"lab: {len(jobs)} runs on {args.jobs} workers", file=sys.stderr)
    t0 = time.monotonic()
    results, failures = [], []
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futs = {pool.submit(lab.run, c, v, lang): (c, v, lang) for c, v, lang in jobs}
        for fut in concurrent.futures.as_completed(futs):
            c, v, lang = futs[fut]
            done += 1
            try:
                r = fut.result()
            except Exception as e:  # noqa: BLE001 - report and go on
                failures.append(f"{c.key} go{v} {lang}: {e}")
                continue
            if "error" in r:
                failures.append(f"{c.key} go{v} {lang}: {r['error']}")
                continue
            want_exit = c.exit
            if (want_exit is None and r["exit"] == 0) or (want_exit is not None and r["exit"] != want_exit):
                failures.append(f"{c.key} go{v} {lang}: exit {r['exit']} (expected "
                                f"{'non-zero' if want_exit is None else want_exit}); stderr:\n"
                                + r["stderr"].decode(errors="replace"))
                continue
            results.append(r)
            if done % 50 == 0:
                print(f"lab: {done}/{len(jobs)} ({time.monotonic() - t0:.0f}s)", file=sys.stderr)
    elapsed = time.monotonic() - t0
    if failures:
        print(f"lab: {len(failures)} of {len(jobs)} runs failed; fixtures not written:", file=sys.stderr)
        for f in sorted(failures):
            print("  - " + f.replace("\n", "\n    "), file=sys.stderr)
        return 1
    results, same = split_translations(results)
    write_fixtures(out_dir, results, skipped, versions, scenarios, same,
                   partial=bool(args.only or args.go or args.langs))
    print(f"lab: wrote {len(results)} transcripts to {out_dir} in {elapsed:.0f}s", file=sys.stderr)
    return 0


def split_translations(results: list[dict]) -> tuple[list[dict], list[dict]]:
    """Drop the base runs, and every translation run whose stderr is the
    base run's (git printed nothing translated): those are returned as
    `same_as_english` index entries instead of transcripts."""
    base = {(r["scenario"], r["cmd"], r["go_version"]): r["stderr"]
            for r in results if r["lang"] == BASE}
    kept, same = [], []
    for r in results:
        key = (r["scenario"], r["cmd"], r["go_version"])
        if r["lang"] == BASE:
            continue
        if r["lang"] in TRANSLATIONS and base.get(key) == r["stderr"]:
            same.append({"scenario": key[0], "cmd": key[1], "go_version": key[2], "lang": r["lang"]})
            continue
        kept.append(r)
    return kept, same


def write_fixtures(out_dir: Path, results: list[dict], skipped: list[dict], versions: list[str],
                   scenarios: list[Scenario], same: list[dict], partial: bool) -> None:
    if not partial and out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for r in sorted(results, key=lambda r: (version_key(r["go_version"]), r["scenario"], r["cmd"], r["lang"])):
        rel = f"go{r['go_version']}/{r['scenario']}.{r['cmd']}.{r['lang']}.txt"
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(header(r).encode() + b"\n" + r["stderr"])
        entries.append({
            "file": rel, "scenario": r["scenario"], "cmd": r["cmd"], "expected_id": r["expected_id"],
            "go_version": r["go_version"], "lang": r["lang"], "exit": r["exit"], "git": r["git"],
            "command": r["command"],
        })
    index_path = out_dir / "index.json"
    if partial and index_path.exists():
        old = json.loads(index_path.read_text())
        have = {e["file"] for e in entries}
        now_same = {(s["scenario"], s["cmd"], s["go_version"], s["lang"]) for s in same}
        for e in old["transcripts"]:
            if (e["scenario"], e["cmd"], e["go_version"], e["lang"]) in now_same:
                have.add(e["file"])
                (out_dir / e["file"]).unlink(missing_ok=True)
        entries = sorted([e for e in old["transcripts"] if e["file"] not in have] + entries,
                         key=lambda e: (version_key(e["go_version"]), e["scenario"], e["cmd"], e["lang"]))
        keys = {(s["scenario"], s["cmd"], s["go_version"]) for s in skipped}
        skipped = [s for s in old["not_applicable"] if (s["scenario"], s["cmd"], s["go_version"]) not in keys] + skipped
        runs = {(e["scenario"], e["cmd"], e["go_version"], e["lang"]) for e in entries}
        runs |= {(s["scenario"], s["cmd"], s["go_version"], s["lang"]) for s in same}
        old_same = old.get("translations", {}).get("same_as_english", [])
        same = [s for s in old_same
                if (s["scenario"], s["cmd"], s["go_version"], s["lang"]) not in runs] + same
    skipped.sort(key=lambda s: (s["scenario"], s["cmd"], version_key(s["go_version"])))
    same.sort(key=lambda s: (version_key(s["go_version"]), s["scenario"], s["cmd"], s["lang"]))
    ids = sorted({e["expected_id"] for e in entries})
    index = {
        "about": "Transcripts of real go failures from the failure lab; generated by "
                 "`make fixtures` (lab/lab.py). Do not edit by hand.",
        "go_versions": versions if not partial else sorted(
            {e["go_version"] for e in entries}, key=version_key),
        "langs": list(LANGS),
        "translations": {
            "about": "Debian git's other translations, run on these Go versions only; a run "
                     "whose stderr equals Debian git's English one is listed in "
                     "same_as_english instead of transcribed.",
            "langs": list(TRANSLATIONS),
            "go_versions": list(TRANSLATION_GO),
            "same_as_english": same,
        },
        "ids": ids,
        "scenarios": {sc.name: {"expected_id": sc.expect, "about": sc.about} for sc in scenarios},
        "transcripts": entries,
        "not_applicable": skipped,
    }
    index_path.write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    pl = sub.add_parser("list")
    pl.add_argument("--json", action="store_true")
    pr = sub.add_parser("run")
    pr.add_argument("scenario")
    pr.add_argument("cmd")
    pr.add_argument("--go", required=True)
    pr.add_argument("--lang", default="en", choices=(*LANGS, *TRANSLATIONS, BASE))
    pr.add_argument("--shim", help="path of the gotriage binary to run as `go`")
    pr.add_argument("--keep", action="store_true", help="keep the sandbox directory")
    pr.add_argument("--print", action="store_true", help="print the transcript instead of JSON")
    pr.add_argument("--save", metavar="DIR", help="write stderr, stdout (normalized and .raw) and result.json to DIR")
    pf = sub.add_parser("fixtures")
    # Runs mostly wait (on servers, on timeouts), so more jobs than cores.
    pf.add_argument("--jobs", type=int, default=max(2, (os.cpu_count() or 2) * 3))
    pf.add_argument("--out", default=str(DEFAULT_OUT))
    pf.add_argument("--go", help="comma-separated versions (default: all of lab.conf)")
    pf.add_argument("--only", help="comma-separated scenario name globs (updates the index in place)")
    pf.add_argument("--langs", help="comma-separated languages (default: all; updates the index in place)")
    args = p.parse_args()
    return {"list": cmd_list, "run": cmd_run, "fixtures": cmd_fixtures}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
