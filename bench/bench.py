#!/usr/bin/env python3
"""`make bench`: what the shim costs, measured the way
the floor in docs/design.md §1 was measured.

* Overhead on trivial commands (`go version`, `go env GOROOT`): A/B pairs run
  alternately (A B A B ...), each a dash loop of N calls, so the machine's
  slow drift cancels out; the per-call difference and the pairwise ratio are
  the figures.  hyperfine -N gives a cross-check.  The same pairs run for
  bench/floor.rs, the least a spawn-and-tee (or exec) wrapper can cost, so
  the figures can be read against the floor of this machine on this day.
* A warm `go build` of a small module: paired single runs.
* Relaying 1 GiB of stderr (the stub writer; stderr to /dev/null): wall time,
  throughput and peak RSS (GNU time).
* Binary sizes for the dynamic and static builds.

Targets (issue 3): overhead <= 0.8 ms per call and ratio <= 1.35 on the
trivial commands; ratio <= 1.01 on go build; >= 2 GB/s and <= 16 MiB for
1 GiB of stderr.  Usage: bench/bench.py [--quick]
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = "--quick" in sys.argv
ROUNDS = 7 if QUICK else 21
LOOP = 50 if QUICK else 100
GIB = 1 << 30


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def real_go():
    cache = os.environ.get("GOTRIAGE_GO_CACHE", os.path.join(REPO, ".cache/go"))
    versions = sorted(
        (d for d in os.listdir(cache) if os.path.isfile(os.path.join(cache, d, "bin/go"))),
        key=lambda v: [int(x) for x in v.split(".")],
    )
    if not versions:
        sys.exit("bench: no Go toolchain in %s (run scripts/install-go.sh)" % cache)
    v = versions[-1]
    return v, os.path.join(cache, v, "bin/go")


# What `make install` uses on x86_64 Linux: glibc linked statically and not
# position-independent, so start-up has no dynamic loader and no self-
# relocation to do (see docs/shim.md, "Cost").
STATIC_RUSTFLAGS = "-C target-feature=+crt-static -C relocation-model=static"


def build():
    """The dynamic (default) and static release builds."""
    sh("cargo", "build", "--release", "--locked", "--quiet", cwd=REPO)
    env = dict(os.environ, RUSTFLAGS=STATIC_RUSTFLAGS)
    sh("cargo", "build", "--release", "--locked", "--quiet", "--target",
       "x86_64-unknown-linux-gnu", cwd=REPO, env=env)
    return {
        "dynamic": os.path.join(REPO, "target/release/gotriage"),
        "static": os.path.join(REPO, "target/x86_64-unknown-linux-gnu/release/gotriage"),
    }


def build_floor(work):
    """bench/floor.rs, built like the static shim."""
    path = os.path.join(work, "floor")
    sh("rustc", "--edition", "2024", "-O", *STATIC_RUSTFLAGS.split(), "-o", path,
       os.path.join(REPO, "bench/floor.rs"))
    return path


def timed(cmd, env, cwd, out=subprocess.DEVNULL):
    t = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, stdout=out, stderr=out, check=True)
    return time.perf_counter() - t


def paired(a, b, env, cwd, rounds, per=1):
    """Alternate A and B; return per-call seconds for each and pairwise ratios."""
    ta, tb = [], []
    for cmd in (a, b):  # warm-up
        timed(cmd, env, cwd)
    for i in range(rounds):
        # A B, then B A: whichever runs second in a pair may find warmer
        # caches, so the order alternates too.
        if i % 2:
            tb.append(timed(b, env, cwd) / per)
            ta.append(timed(a, env, cwd) / per)
        else:
            ta.append(timed(a, env, cwd) / per)
            tb.append(timed(b, env, cwd) / per)
    ratios = [x / y for x, y in zip(ta, tb)]
    diffs = [x - y for x, y in zip(ta, tb)]
    return ta, tb, ratios, diffs


def ms(x):
    return "%.2f" % (x * 1000)


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def hyperfine(cmds, env, cwd):
    if not shutil.which("hyperfine"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        sh("hyperfine", "-N", "--warmup", "20", "--runs", "100" if QUICK else "300",
           "--export-json", f.name, *cmds, env=env, cwd=cwd,
           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = json.load(open(f.name))
    return [r["median"] for r in data["results"]]


def main():
    version, go = real_go()
    bins = build()
    work = tempfile.mkdtemp(prefix="gotriage-bench.")
    mod = os.path.join(work, "mod")
    os.makedirs(mod)
    open(os.path.join(mod, "go.mod"), "w").write("module example.com/tiny\n\ngo 1.19\n")
    open(os.path.join(mod, "main.go"), "w").write(
        'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n')
    loop = os.path.join(work, "loop.sh")
    open(loop, "w").write('n=$1; shift; i=0; while [ "$i" -lt "$n" ]; do "$@"; i=$((i+1)); done\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOTRIAGE", "GOFLAGS"))}
    env.update(GOTOOLCHAIN="local", GOTRIAGE_GO=go, FLOOR_GO=go)
    floor = build_floor(work)
    shims = {}
    for kind, path in bins.items():
        d = os.path.join(work, kind)
        os.makedirs(d)
        os.symlink(path, os.path.join(d, "go"))
        shims[kind] = os.path.join(d, "go")

    lines = []
    out = lines.append
    out("# gotriage bench (go%s, %s)" % (version, time.strftime("%Y-%m-%d %H:%M")))
    out("")
    out("machine: %d cores, load average %s" % (os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    out("")
    out("## Overhead on trivial commands (loop of %d calls, %d alternating pairs)" % (LOOP, ROUNDS))
    out("")
    out("| build | command | shim ms/call | go ms/call | **overhead ms** (p95) | **ratio** (p95) |")
    out("|---|---|---|---|---|---|")
    # Each wrapper as the argv that stands where `go` would.
    wrappers = [(kind, [path]) for kind, path in shims.items()]
    floor_tee = ("floor: spawn+tee", [floor, "tee"])
    for kind, shim in wrappers + [floor_tee, ("floor: exec", [floor, "exec"])]:
        for args in (["version"], ["env", "GOROOT"]):
            a = ["dash", loop, str(LOOP)] + shim + args
            b = ["dash", loop, str(LOOP), go] + args
            ta, tb, ratios, diffs = paired(a, b, env, mod, ROUNDS, per=LOOP)
            out("| %s | `go %s` | %s | %s | **%s** (%s) | **%.3f** (%.3f) |" % (
                kind, " ".join(args), ms(statistics.median(ta)), ms(statistics.median(tb)),
                ms(statistics.median(diffs)), ms(p95(diffs)),
                statistics.median(ratios), p95(ratios)))
    hf = hyperfine(["%s version" % go, "%s version" % shims["dynamic"], "%s version" % shims["static"],
                    "%s tee version" % floor], env, mod)
    if hf:
        out("")
        out("hyperfine -N cross-check (median): go %s ms, shim (dynamic) %s ms, shim (static) %s ms, "
            "floor spawn+tee %s ms" %
            tuple(ms(x) for x in hf))

    out("")
    out("## Warm `go build -o /dev/null .` of a small module (%d alternating pairs)" % ROUNDS)
    out("")
    out("| build | shim ms | go ms | **ratio** (p95) |")
    out("|---|---|---|---|")
    for kind, shim in wrappers + [floor_tee]:
        ta, tb, ratios, _ = paired(shim + ["build", "-o", "/dev/null", "."],
                                   [go, "build", "-o", "/dev/null", "."], env, mod, ROUNDS)
        out("| %s | %s | %s | **%.3f** (%.3f) |" % (
            kind, ms(statistics.median(ta)), ms(statistics.median(tb)),
            statistics.median(ratios), p95(ratios)))

    out("")
    out("## Relaying 1 GiB of stderr (stub writer, stderr to /dev/null)")
    out("")
    stub = os.path.join(work, "stub-go")
    sh("rustc", "--edition", "2024", "-O", "-o", stub, os.path.join(REPO, "tests/support/stub_go.rs"))
    senv = dict(env, GOTRIAGE_GO=stub, STUB_GO="stderr-bytes:%d;exit:0" % GIB)
    direct = statistics.median(timed([stub], senv, work) for _ in range(3))
    runs = 3 if QUICK else 9
    out("| build | wall s (median of %d; best) | throughput GB/s (median; best) | peak RSS MiB |" % runs)
    out("|---|---|---|---|")
    for kind, shim in shims.items():
        walls, rss = [], []
        for _ in range(runs):
            tf = os.path.join(work, "time.out")
            t = time.perf_counter()
            subprocess.run(["/usr/bin/time", "-o", tf, "-f", "%M", shim], env=senv, cwd=work,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            walls.append(time.perf_counter() - t)
            rss.append(int(open(tf).read().split()[-1]) / 1024)
        w, best = statistics.median(walls), min(walls)
        out("| %s | %.3f; %.3f | **%.2f**; %.2f | **%.1f** |" % (
            kind, w, best, GIB / w / 1e9, GIB / best / 1e9, max(rss)))
    out("")
    out("(the writer alone, to /dev/null: %.3f s)" % direct)

    out("")
    out("## Binary size")
    out("")
    for kind, path in bins.items():
        out("- %s: %.2f MiB (%s)" % (kind, os.path.getsize(path) / (1 << 20), path.replace(REPO + "/", "")))

    out("")
    out("## Diagnosis (failure path only): 64 KiB of stderr, gate and regex compilation included")
    out("")
    r = subprocess.run(["cargo", "run", "--quiet", "--locked", "--profile", "bench",
                        "--example", "bench_diagnose"], cwd=REPO, stdout=subprocess.PIPE, text=True)
    out(r.stdout.rstrip())

    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    os.makedirs(os.path.join(REPO, "target"), exist_ok=True)
    open(os.path.join(REPO, "target/bench-report.md"), "w").write(report)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
