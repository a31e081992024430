#!/usr/bin/env python3
"""Regenerates every transcript in docs/ from the binary, so none can go stale.

A transcript is a ```console block of a docs/*.md file: each line that starts
with "$ " is a command, the lines after it its output (stdout and stderr
together). Each file's commands run in order in a fresh folder holding a copy
of docs/ (so `cp -r docs/examples/axpy my_templates/` works as written), with
`tkbench` on the PATH, an empty kernel cache and NO_COLOR. A block may follow a
line `<!-- transcript-setup: SHELL -->` whose commands run first and are not
shown; `fresh-broken` there puts a clean copy of docs/examples/axpy in broken/.

  docs/transcripts.py BINARY            rewrite the transcripts in docs/*.md
  docs/transcripts.py --check BINARY    exit 1, with a diff, where one differs

--check compares with what changes from run to run masked: compile times, the
wall time, the sandbox's path and the NVRTC library's size, and spacing.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

DOCS = os.path.dirname(os.path.abspath(__file__))
SANDBOX_NAME = "/tmp/tkbench-docs"  # how the sandbox's path is written in the docs
SETUP = re.compile(r"^<!-- transcript-setup: (.*) -->\s*$")


def run(command, sandbox, binary):
    env = dict(os.environ, NO_COLOR="1", XDG_CACHE_HOME=os.path.join(sandbox, "cache"),
               PATH=os.path.join(sandbox, "bin") + os.pathsep + os.environ.get("PATH", ""))
    env.pop("TKBENCH_TEMPLATE_PATH", None)
    done = subprocess.run(["bash", "-c", command], cwd=sandbox, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=600)
    return done.stdout.decode("utf-8", "replace").replace(sandbox, SANDBOX_NAME)


def make_sandbox(binary):
    sandbox = tempfile.mkdtemp(prefix="tkbench-transcripts.")
    shutil.copytree(DOCS, os.path.join(sandbox, "docs"), ignore=shutil.ignore_patterns("images"))
    os.makedirs(os.path.join(sandbox, "bin"))
    os.symlink(os.path.abspath(binary), os.path.join(sandbox, "bin", "tkbench"))
    with open(os.path.join(sandbox, "bin", "fresh-broken"), "w") as f:
        f.write("#!/bin/sh\nrm -rf broken && mkdir -p broken && cp -r docs/examples/axpy broken/\n")
    os.chmod(os.path.join(sandbox, "bin", "fresh-broken"), 0o755)
    return sandbox


def regenerate(text, binary):
    """The document with every ```console block's outputs made afresh."""
    lines = text.split("\n")
    out, sandbox = [], make_sandbox(binary)
    try:
        i = 0
        while i < len(lines):
            line = lines[i]
            out.append(line)
            i += 1
            if line.strip() != "```console":
                continue
            setup = SETUP.match(out[-2]) if len(out) >= 2 else None
            if setup:
                run(setup.group(1), sandbox, binary)
            while i < len(lines) and lines[i].strip() != "```":
                if lines[i].startswith("$ "):
                    out.append(lines[i])
                    output = run(lines[i][2:], sandbox, binary).rstrip("\n")
                    if output:
                        out.extend(output.split("\n"))
                i += 1
    finally:
        shutil.rmtree(sandbox, ignore_errors=True)
    return "\n".join(out)


def masked(text):
    text = re.sub(r"\b\d+( +)(miss|hit)\b", r"N\1\2", text)            # compile ms column
    text = re.sub(r" in \d+(\.\d+)? s\b", " in N s", text)              # wall time
    text = re.sub(r"\d+ bytes\)", "N bytes)", text)                      # the NVRTC library's size
    return [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    binary, stale = args[0], 0
    for name in sorted(os.listdir(DOCS)):
        if not name.endswith(".md"):
            continue
        path = os.path.join(DOCS, name)
        with open(path) as f:
            text = f.read()
        if "```console" not in text:
            continue
        fresh = regenerate(text, binary)
        if not check:
            if fresh != text:
                with open(path, "w") as f:
                    f.write(fresh)
                print(f"rewrote docs/{name}")
            continue
        diff = list(difflib.unified_diff(masked(text), masked(fresh), f"docs/{name}", f"docs/{name} (from the binary)",
                                         lineterm=""))
        if diff:
            stale += 1
            print("\n".join(diff))
        else:
            print(f"ok: docs/{name}")
    if stale:
        print(f"{stale} document(s) out of date: run docs/transcripts.py build/tkbench and commit the result")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
