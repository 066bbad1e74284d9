#!/usr/bin/env python3
"""Change-to-diagnostics latency of `journeydoc lsp` on generated handbooks.

For each size: generate a corpus (target/release/examples/gen), start
`journeydoc lsp` in it as an editor would (initialize, open one journey),
wait for the first whole load's diagnostics, then edit the open journey over
and over with `didChange`, alternately misspelling one of its touchpoint ids
and fixing it. For each change it records the time from sending the change to
the first `publishDiagnostics` for that file with that version that shows the
change (the error there, or gone): what the author sees. It also records when
the whole load that follows publishes (the second publication for the
version), and how long a completion request in `touchpoints: [` takes.
Prints a Markdown table. Run by hand (never in CI):

    cargo build --release --bin journeydoc --example gen
    benches/lsp_latency.py --sizes 1000 10000 --edits 10
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import queue
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "journeydoc")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen")


class Client:
    def __init__(self, cwd):
        self.log_path = os.path.join(cwd, "..", "lsp.log")
        self.log = open(self.log_path, "w")
        self.p = subprocess.Popen([BIN, "--verbose", "lsp"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        self.q = queue.Queue()
        self.id = 0
        threading.Thread(target=self.read, daemon=True).start()

    def log_count(self, what):
        with open(self.log_path, encoding="utf-8") as f:
            return f.read().count(what)

    def read(self):
        out = self.p.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = out.read(length)
            self.q.put((time.monotonic(), json.loads(body)))

    def send(self, msg):
        msg["jsonrpc"] = "2.0"
        data = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.p.stdin.flush()

    def wait(self, pred, timeout=600):
        deadline = time.monotonic() + timeout
        while True:
            t, m = self.q.get(timeout=max(0.001, deadline - time.monotonic()))
            if pred(m):
                return t, m

    def request(self, method, params):
        self.id += 1
        i = self.id
        self.send({"id": i, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == i and "method" not in m)

    def notify(self, method, params):
        self.send({"method": method, "params": params})


def published(uri, version=None):
    def pred(m):
        if m.get("method") != "textDocument/publishDiagnostics" or m["params"]["uri"] != uri:
            return False
        return version is None or m["params"].get("version") == version
    return pred


def measure(size, edits):
    work = tempfile.mkdtemp(prefix="jd-lsp.")
    try:
        corpus = os.path.join(work, "corpus")
        subprocess.run([GEN, "--journeys", str(size), "--out", corpus], check=True, stdout=subprocess.DEVNULL)
        book = os.path.join(corpus, "journeydoc")
        path = os.path.join(book, "content", "journeys", "p0", "j0.md")
        uri = "file://" + path
        text = open(path, encoding="utf-8").read()
        m = re.search(r"touchpoints: \[([a-z0-9-]+)", text)
        assert m, "the generated journey names no touchpoint"
        typo = text[: m.start(1)] + m.group(1) + "-typo" + text[m.end(1):]
        c = Client(book)
        started = time.monotonic()
        c.request("initialize", {"processId": None, "rootUri": "file://" + book, "capabilities": {}})
        c.notify("initialized", {})
        c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}})
        t, _ = c.wait(published(uri))
        first = t - started
        quick, whole = [], []
        while c.log_count("whole load of") < 1:
            time.sleep(0.01)
        loads_before = [c.log_count("whole load of")]
        for i in range(edits):
            version = i + 2
            wrong = i % 2 == 0
            body = typo if wrong else text
            t0 = time.monotonic()
            c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": body}]})
            def shows(m, wrong=wrong, version=version):
                if not published(uri, version)(m):
                    return False
                has = any(d.get("code") == "unknown-touchpoint" for d in m["params"]["diagnostics"])
                return has == wrong
            t1, _ = c.wait(shows)
            quick.append((t1 - t0) * 1000)
            # The whole load that follows (its diagnostics equal the quick
            # ones, so nothing more is published): seen in the server's log.
            while c.log_count("whole load of") <= loads_before[0]:
                if time.monotonic() - t0 > 120:
                    raise SystemExit("no whole load within 120 s")
                time.sleep(0.005)
            whole.append((time.monotonic() - t0) * 1000)
            loads_before[0] = c.log_count("whole load of")
        # Completion in `touchpoints: [` (the ids of the whole handbook).
        line = text[: m.start(1)].count("\n")
        col = m.start(1) - (text.rfind("\n", 0, m.start(1)) + 1)
        times = []
        count = 0
        for _ in range(5):
            t0 = time.monotonic()
            t1, r = c.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}})
            times.append((t1 - t0) * 1000)
            count = len(r["result"]["items"])
        c.request("shutdown", None)
        c.notify("exit", None)
        c.p.wait(timeout=60)
        c.log.close()
        log = open(os.path.join(work, "corpus", "lsp.log"), encoding="utf-8").read()
        inside = [float(x) for x in re.findall(r"quick check of \S+ in ([0-9.]+) ms", log)]
        loads = [float(x) for x in re.findall(r"whole load of .* in ([0-9]+) ms", log)]
        return first, quick, whole, times, count, inside, loads
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--edits", type=int, default=10)
    args = ap.parse_args()
    for tool in (BIN, GEN):
        if not os.path.exists(tool):
            sys.exit(f"{tool} is missing: cargo build --release --bin journeydoc --example gen")
    print("| journeys | open → first diagnostics (s) | change → diagnostics shown, median (max) ms | of which the quick check, median (ms) | change → whole load done, median (max) ms | whole load alone, median (ms) | completion, median (ms) | items |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    rounds = []
    for size in args.sizes:
        first, quick, whole, comp, items, inside, loads = measure(size, args.edits)
        w = f"{statistics.median(whole):.0f} ({max(whole):.0f})" if whole else "—"
        q = f"{statistics.median(inside):.1f}" if inside else "—"
        l = f"{statistics.median(loads):.0f}" if loads else "—"
        rounds.append((size, quick))
        print(f"| {size} | {first:.2f} | {statistics.median(quick):.1f} ({max(quick):.1f}) | {q} | {w} | {l} | {statistics.median(comp):.1f} | {items} |")
    for size, quick in rounds:
        print(f"\n{size} journeys, change → diagnostics shown, each change in order (ms): " + ", ".join(f"{q:.1f}" for q in quick))


if __name__ == "__main__":
    main()
