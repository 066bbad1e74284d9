#!/usr/bin/env python3
"""Edit-to-served latency and memory of `journeydoc serve` on generated handbooks.

For each size: generate a corpus (target/release/examples/gen, with the
measurements and the research/opportunity layer), start `journeydoc serve
--port 0`, open a reader's pages, then edit one file of each kind in turn,
`--edits` times each:

  journey      a journey's title            own page journeys/p0/j0.html
  persona      a persona's name             personas/p0.html
  touchpoint   a touchpoint's name          touchpoints/t<n>.html (one j0 uses)
  research     a study's title              research/r<n>.html (one j0 cites)
  opportunity  an opportunity's title       opportunities/o<n>.html (one j0 names)
  page         a free page's title          guide.html (added before the start)
  data         one row of data/journeys.csv journeys/p0/j0.html (its chart)

After each save (timed from the rename that lands it) the own page is polled over HTTP (every 2 ms) until it
shows the edit ("own"); then the server's log is read until its `rebuilt`
line for that edit ("all": every page the edit affects is current from
then on). The server's resident memory (VmRSS) is read after every edit.
Prints Markdown tables and the server's own lines. Run by hand (never in
CI):

    cargo build --release --bin journeydoc --example gen
    benches/serve_latency.py --sizes 1000 10000 --edits 7
    benches/serve_latency.py --sizes 10000 --edits 15 --bin /tmp/jd-old   # A/B
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
KINDS = ["journey", "persona", "touchpoint", "research", "opportunity", "page", "data"]


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, body


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rebuilt_lines(log_path):
    with open(log_path) as f:
        return sum(l.startswith("rebuilt") for l in f)


def first_id(text, field):
    """The first id of a `field: [a, b]` list in a journey's front matter."""
    return re.search(rf"^\s*{field}: \[(\w+)", text, flags=re.M).group(1)


def targets(book):
    """Each kind: the file edited, how it is edited, the page that shows it."""
    j0 = os.path.join(book, "content", "journeys", "p0", "j0.md")
    text = open(j0, encoding="utf-8").read()
    tp, study, opp = first_id(text, "touchpoints"), first_id(text, "evidence"), first_id(text, "opportunities")
    content = os.path.join(book, "content")

    def field(name):
        def edit(old, marker):
            return re.sub(rf"^{name}: .*$", f'{name}: "{marker}"', old, count=1, flags=re.M)
        return edit

    def data_row(old, marker):
        # The first row of p0/j0 gets a new value each time (0-10: a valid
        # NPS for every metric kind the generator writes); the page changes.
        n = int(marker.split()[-1]) % 10
        lines = old.split("\n")
        cells = lines[1].split(",")
        cells[2] = str(n + (1 if cells[2] == str(n) else 0))
        lines[1] = ",".join(cells)
        return "\n".join(lines)

    return {
        "journey": (j0, field("title"), "/journeys/p0/j0.html", True),
        "persona": (os.path.join(content, "personas", "p0.md"), field("name"), "/personas/p0.html", True),
        "touchpoint": (os.path.join(content, "touchpoints", f"{tp}.md"), field("name"), f"/touchpoints/{tp}.html", True),
        "research": (os.path.join(content, "research", f"{study}.md"), field("title"), f"/research/{study}.html", True),
        "opportunity": (os.path.join(content, "opportunities", f"{opp}.md"), field("title"), f"/opportunities/{opp}.html", True),
        "page": (os.path.join(content, "guide.md"), field("title"), "/guide.html", True),
        "data": (os.path.join(book, "data", "journeys.csv"), data_row, "/journeys/p0/j0.html", False),
    }


def measure(size, edits, kinds, binary, gen_args):
    work = tempfile.mkdtemp(prefix="jd-serve.")
    try:
        corpus = os.path.join(work, "corpus")
        subprocess.run([GEN, "--journeys", str(size), "--out", corpus, *gen_args], check=True, stdout=subprocess.DEVNULL)
        book = os.path.join(corpus, "journeydoc")
        with open(os.path.join(book, "content", "guide.md"), "w", encoding="utf-8") as f:
            f.write('---\ntitle: "A guide"\n---\nHow to read this handbook.\n')
        edits_of = targets(book)
        log_path = os.path.join(work, "serve.log")
        log = open(log_path, "w")
        started = time.monotonic()
        server = subprocess.Popen([binary, "--root", book, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True)
        results = {k: [] for k in kinds}
        memory = []
        try:
            line = server.stdout.readline()
            port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
            status, _ = get(port, "/index.html")
            ready = time.monotonic() - started
            assert status == 200, status
            # A reader's tabs: the home page and every page the edits show.
            for _, _, page, _ in edits_of.values():
                status, _ = get(port, page)
                assert status == 200, (page, status)
            memory.append(("pages open", rss_mb(server.pid)))
            for i in range(edits):
                for kind in kinds:
                    path, edit, page, marked = edits_of[kind]
                    old = open(path, encoding="utf-8").read()
                    _, before = get(port, page)
                    marker = f"Edited {kind} {time.time_ns()} {i}"
                    new = edit(old, marker)
                    assert new != old, kind
                    builds = rebuilt_lines(log_path)
                    # Written beside and renamed over, as many editors save:
                    # the server never sees half a file. The clock starts
                    # when the save lands (the rename), not while the editor
                    # writes its temporary copy (40-60 ms for the 35 MB CSV).
                    with open(path + ".tmp", "w", encoding="utf-8") as f:
                        f.write(new)
                    t0 = time.monotonic()
                    os.replace(path + ".tmp", path)
                    while True:
                        _, body = get(port, page)
                        if (marker in body) if marked else (body != before):
                            break
                        if time.monotonic() - t0 > 120:
                            raise SystemExit(f"{kind} edit {i} not served within 120 s")
                        time.sleep(0.002)
                    own = (time.monotonic() - t0) * 1000
                    while rebuilt_lines(log_path) <= builds:
                        if time.monotonic() - t0 > 300:
                            raise SystemExit(f"{kind} edit {i}: no rebuild within 300 s")
                        time.sleep(0.005)
                    everything = (time.monotonic() - t0) * 1000
                    results[kind].append((own, everything))
                    memory.append((f"{kind} {i}", rss_mb(server.pid)))
                    time.sleep(0.1)  # let the watcher settle between edits
        finally:
            server.terminate()
            server.wait()
            log.close()
        lines = [l.strip() for l in open(log_path) if l.startswith(("rebuilt", "updated"))]
        return ready, results, memory, lines
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--edits", type=int, default=7, help="edits of each kind")
    ap.add_argument("--kinds", nargs="+", default=KINDS, choices=KINDS)
    ap.add_argument("--bin", default=BIN, help="the journeydoc binary (an older build for A/B)")
    ap.add_argument("--plain", action="store_true", help="a corpus without measurements and the new layer")
    ap.add_argument("--lines", action="store_true", help="print the server's own lines")
    args = ap.parse_args()
    for tool in (args.bin, GEN):
        if not os.path.exists(tool):
            sys.exit(f"{tool} is missing: cargo build --release --bin journeydoc --example gen")
    gen_args = [] if args.plain else ["--months", "12", "--layer"]
    kinds = [k for k in args.kinds if not (args.plain and k == "data")]
    for size in args.sizes:
        ready, results, memory, lines = measure(size, args.edits, kinds, args.bin, gen_args)
        print(f"\n{size} journeys: ready (first page served) in {ready:.2f} s\n")
        print("| edit | own page, median (ms) | min–max (ms) | every page (rebuilt), median (ms) | min–max (ms) | edits |")
        print("|---|---:|---:|---:|---:|---:|")
        for kind in kinds:
            own = [o for o, _ in results[kind]]
            every = [e for _, e in results[kind]]
            print(f"| {kind} | {statistics.median(own):.0f} | {min(own):.0f}–{max(own):.0f} "
                  f"| {statistics.median(every):.0f} | {min(every):.0f}–{max(every):.0f} | {len(own)} |")
        rss = [m for _, m in memory]
        print(f"\nresident memory: {memory[0][1]:.0f} MB with the pages open; "
              f"{rss[-1]:.0f} MB after {len(rss) - 1} edits (max {max(rss):.0f} MB)")
        # After each round of one edit of every kind.
        rounds = [f"{m:.0f}" for name, m in memory if name.endswith(f"{kinds[-1]} {name.split()[-1]}")]
        print(f"after each round of {len(kinds)} edits (MB): {' '.join(rounds)}")
        if args.lines:
            for l in lines:
                print(f"    {l}")


if __name__ == "__main__":
    main()
