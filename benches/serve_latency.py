#!/usr/bin/env python3
"""Edit-to-served latency of `journeydoc serve` on generated handbooks.

For each size: generate a corpus (target/release/examples/gen), start
`journeydoc serve --port 0`, then edit one journey's title several times;
after each write, poll the journey page over HTTP (every 2 ms) until the new
title is in it. The time from just before the write to that response is the
latency a reader sees. Prints a Markdown table and the server's own
`rebuilt …` lines. Run by hand (never in CI):

    cargo build --release --bin journeydoc --example gen
    benches/serve_latency.py --sizes 1000 10000 --edits 5
"""

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "journeydoc")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen")


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, body


def measure(size, edits, settle):
    work = tempfile.mkdtemp(prefix="jd-serve.")
    try:
        corpus = os.path.join(work, "corpus")
        subprocess.run([GEN, "--journeys", str(size), "--out", corpus], check=True, stdout=subprocess.DEVNULL)
        book = os.path.join(corpus, "journeydoc")
        log_path = os.path.join(work, "serve.log")
        log = open(log_path, "w")
        started = time.monotonic()
        server = subprocess.Popen([BIN, "--root", book, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            line = server.stdout.readline()
            ready = time.monotonic() - started
            port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
            journey = os.path.join(book, "content", "journeys", "p0", "j0.md")
            page = "/journeys/p0/j0.html"
            status, _ = get(port, page)
            assert status == 200, status
            times = []
            for i in range(edits):
                text = open(journey, encoding="utf-8").read()
                marker = f"Edited title {i} {time.time_ns()}"
                new = re.sub(r"^title: .*$", f'title: "{marker}"', text, count=1, flags=re.M)
                t0 = time.monotonic()
                with open(journey, "w", encoding="utf-8") as f:
                    f.write(new)
                while True:
                    _, body = get(port, page)
                    if marker in body:
                        break
                    if time.monotonic() - t0 > 120:
                        raise SystemExit(f"edit {i} not served within 120 s")
                    time.sleep(0.002)
                times.append((time.monotonic() - t0) * 1000)
                if settle:
                    # Wait for the rebuild of what else the edit touches.
                    while sum(l.startswith("rebuilt") for l in open(log_path)) <= i:
                        if time.monotonic() - t0 > 300:
                            raise SystemExit(f"edit {i}: no rebuild within 300 s")
                        time.sleep(0.01)
                time.sleep(0.3)  # let the watcher settle between edits
        finally:
            server.terminate()
            server.wait()
            log.close()
        rebuilt = [l.strip() for l in open(log_path) if l.startswith(("rebuilt", "updated"))]
        return ready, times, rebuilt
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--no-settle", dest="settle", action="store_false",
                    help="edit again as soon as the page shows the last edit, without waiting for the rebuild of the other pages")
    args = ap.parse_args()
    for tool in (BIN, GEN):
        if not os.path.exists(tool):
            sys.exit(f"{tool} is missing: cargo build --release --bin journeydoc --example gen")
    rows = []
    for size in args.sizes:
        ready, times, rebuilt = measure(size, args.edits, args.settle)
        rows.append((size, ready, times, rebuilt))
    print("| journeys | first build + listen (s) | edit → updated page served, median (ms) | min–max (ms) | edits |")
    print("|---:|---:|---:|---:|---:|")
    for size, ready, times, _ in rows:
        print(f"| {size} | {ready:.1f} | {statistics.median(times):.0f} | {min(times):.0f}–{max(times):.0f} | {len(times)} |")
    for size, _, _, rebuilt in rows:
        print(f"\n{size} journeys, the server's own lines:")
        for l in rebuilt:
            print(f"    {l}")


if __name__ == "__main__":
    main()
