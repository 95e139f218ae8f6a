#!/usr/bin/env python3
"""The soak driver of scripts/soak: a province-sized mix of work against two wenping instances sharing one
PostgreSQL database, for a fixed time. Standard library only (threads and urllib).

Each worker plays a county's planning office through a decision's life, sending each request to the two
instances in turn (so what one instance wrote, the other reads): register a decision, three experts rate it, the
planner assesses it, the comparison is read, the reviewer renders the report as HTML and as PDF; between
decisions the office writes to the concern ledger and reads lists. One more thread imports a generated petition
file every IMPORT_EVERY seconds (a new month of a county's petitions, or a re-sent one). A sampler records the
instances' resident memory (VmRSS), the heap each holds (from its /metrics) and the database size.

Any answer that is not the one the step expects (a 2xx) is an error, recorded with its status and body; the
driver itself never retries.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict

IMPORT_EVERY = 20  # seconds between petition imports
SAMPLE_EVERY = 30  # seconds between memory and database-size samples


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)  # kind -> seconds
        self.errors = []  # (kind, status, detail)
        # (elapsed seconds, rss A kB, rss B kB, database bytes, heap in use A kB, heap in use B kB)
        self.samples = []

    def ok(self, kind, seconds):
        with self.lock:
            self.latency[kind].append(seconds)

    def error(self, kind, status, detail):
        with self.lock:
            self.errors.append((kind, status, detail[:300]))


class Api:
    """Requests to the two instances in turn, with one token per role."""

    def __init__(self, bases, tokens, recorder):
        self.bases = bases
        self.tokens = tokens
        self.rec = recorder
        self.turn = random.randrange(len(bases))

    def call(self, kind, method, path, who, body=None, content_type="application/json", expect=(200, 201)):
        self.turn = (self.turn + 1) % len(self.bases)
        url = self.bases[self.turn] + path
        data = None
        headers = {"Authorization": "Bearer " + self.tokens[who]}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=120) as res:
                payload = res.read()
                status = res.status
        except urllib.error.HTTPError as e:
            payload = e.read()
            status = e.code
        except OSError as e:  # refused, reset, timed out: the instance did not answer
            self.rec.error(kind, 0, f"{method} {url}: {e}")
            return None
        elapsed = time.monotonic() - started
        if status not in expect:
            self.rec.error(kind, status, f"{method} {path}: {payload[:300]!r}")
            return None
        self.rec.ok(kind, elapsed)
        if payload[:1] in (b"{", b"["):
            return json.loads(payload)
        return payload


def decision_body(rng, n):
    village = rng.choice(["330199002002", "330199002003", "330199001002", "330199003001"])
    return {
        "title": f"浸泡测试 {n}：{village} 集体土地征收",
        "kind": "land_requisition",
        "description": "省级浸泡测试登记的土地征收事项。",
        "responsible_unit": "示范县自然资源局",
        "regions": [village[:9], village],
        "affected": {"households": rng.randint(20, 900), "people": rng.randint(60, 3000), "workers": 0},
        "budget_yuan": float(rng.randint(1, 400) * 1_000_000),
        "planned_start": "2027-03-01",
        "attributes": {
            "compensation_ratio": round(rng.uniform(0.6, 1.2), 2),
            "signing_rate": round(rng.uniform(0.3, 0.95), 2),
            "support_rate": round(rng.uniform(0.3, 0.95), 2),
            "public_notice_days": rng.choice([10, 20, 30, 45]),
            "hearing_held": rng.random() < 0.5,
            "funds_in_place": rng.random() < 0.7,
        },
    }


def worker(api, factors, experts, deadline, rng, counter):
    while time.monotonic() < deadline:
        with counter["lock"]:
            counter["n"] += 1
            n = counter["n"]
        decision = api.call("register decision", "POST", "/api/v1/decisions", "planner", decision_body(rng, n))
        if decision is None:
            continue
        did = decision["id"]
        for expert in experts:
            sheet = {f: {"probability": rng.randint(1, 5), "impact": rng.randint(1, 5)} for f in factors}
            api.call("rate", "PUT", f"/api/v1/decisions/{did}/ratings/{expert}", expert, sheet)
        assessment = api.call("assess", "POST", f"/api/v1/decisions/{did}/assessments", "planner", {})
        api.call("read decision", "GET", f"/api/v1/decisions/{did}", "reviewer")
        api.call("compare", "GET", f"/api/v1/decisions/{did}/comparison", "planner")
        if assessment is not None:
            aid = assessment["id"]
            api.call("report html", "GET", f"/api/v1/assessments/{aid}/report.html", "reviewer")
            # A PDF is typeset in full each time: one decision in four gets one, as reviewers download them.
            if rng.random() < 0.25:
                api.call("report pdf", "GET", f"/api/v1/assessments/{aid}/report.pdf", "reviewer")
        concern = {
            "channel": rng.choice(["phone", "hotline", "visit", "contact_card"]),
            "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": rng.choice(["330199002002", "330199002003", "330199001002"]),
            "topic": rng.choice(["compensation", "resettlement", "livelihood"]),
            "content": f"浸泡测试来电 {uuid.uuid4().hex[:8]}：询问补偿款到位时间",
            "resident": {"name": "测试居民", "phone": "13800000000"},
            "decisions": [did],
        }
        api.call("ledger write", "POST", "/api/v1/concerns", "planner", concern)
        api.call("list decisions", "GET", "/api/v1/decisions", "planner")
        api.call("list concerns", "GET", "/api/v1/concerns", "planner")


def importer(api, binary, workdir, deadline, rng):
    """A county's monthly petition export, generated by `wenping petitions generate`; one in four is re-sent."""
    files = []
    seed = 1000
    while time.monotonic() < deadline:
        if files and rng.random() < 0.25:
            path = rng.choice(files)
        else:
            seed += 1
            path = os.path.join(workdir, f"petitions-{seed}.csv")
            subprocess.run(
                [binary, "petitions", "generate", "--records", "5000", "--seed", str(seed),
                 "--county", "330199", "--out", path],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            files.append(path)
        with open(path, "rb") as f:
            content = f.read()
        boundary = "soak" + uuid.uuid4().hex
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{os.path.basename(path)}\"\r\n"
            "Content-Type: text/csv\r\n\r\n"
        ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
        started = time.monotonic()
        report = api.call("import petitions", "POST", "/api/v1/petitions/imports", "admin", body,
                          content_type=f"multipart/form-data; boundary={boundary}", expect=(201, 202))
        # A file past the server's size threshold is imported in the background (202): follow it to its end.
        followed = False
        while report is not None and report.get("status") in ("queued", "running"):
            followed = True
            time.sleep(1)
            report = api.call("import status", "GET", f"/api/v1/petitions/imports/{report['id']}", "admin")
        if report is not None and report.get("status") != "imported":
            api.rec.error("import petitions", 200, f"import ended {report.get('status')}: {report.get('errors')}")
        elif followed:
            api.rec.ok("import petitions (background, to the end)", time.monotonic() - started)
        time.sleep(IMPORT_EVERY)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def database_bytes(psql):
    out = subprocess.run(psql + ["-tAc", "SELECT pg_database_size(current_database())"],
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip())


def heap_kb(base, token):
    """The heap the instance's code holds (allocated, not yet freed), from its /metrics; 0 when unknown."""
    request = urllib.request.Request(base + "/metrics", headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=30) as res:
            for line in res.read().decode().splitlines():
                if line.startswith("wenping_heap_in_use_bytes "):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def sample(started, pids, psql, bases, token):
    return (time.monotonic() - started, rss_kb(pids[0]), rss_kb(pids[1]), database_bytes(psql),
            heap_kb(bases[0], token), heap_kb(bases[1], token))


def sampler(rec, pids, psql, bases, token, started, stop):
    while not stop.wait(SAMPLE_EVERY):
        rec.samples.append(sample(started, pids, psql, bases, token))


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--minutes", type=float, default=60)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--bases", required=True, help="comma-separated base URLs of the instances")
    p.add_argument("--pids", required=True, help="comma-separated process ids of the instances")
    p.add_argument("--tokens", required=True, help="JSON file: role -> API token")
    p.add_argument("--psql", required=True, help="psql command line reaching the database, space-separated")
    p.add_argument("--binary", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--summary", required=True, help="where to write the summary (JSON)")
    p.add_argument("--doc", help="markdown file whose soak section is replaced by this run's figures")
    p.add_argument("--machine", default="", help="a line about the machine, for the doc")
    args = p.parse_args()

    bases = args.bases.split(",")
    pids = [int(x) for x in args.pids.split(",")]
    tokens = json.load(open(args.tokens))
    psql = args.psql.split()
    rec = Recorder()
    experts = [r for r in tokens if r not in ("admin", "planner", "reviewer")]
    model = Api(bases, tokens, rec).call("setup", "GET", "/api/v1/models/land_requisition", "planner")
    factors = [f["id"] for f in model["factors"]]

    started = time.monotonic()
    first = sample(started, pids, psql, bases, tokens["admin"])
    start = {"rss_kb": list(first[1:3]), "database_bytes": first[3], "heap_kb": list(first[4:6])}
    rec.samples.append((0.0,) + first[1:])
    deadline = started + args.minutes * 60
    stop = threading.Event()
    threads = [threading.Thread(target=sampler, args=(rec, pids, psql, bases, tokens["admin"], started, stop), daemon=True)]
    counter = {"n": 0, "lock": threading.Lock()}
    for k in range(args.workers):
        rng = random.Random(k)
        threads.append(threading.Thread(
            target=worker, args=(Api(bases, tokens, rec), factors, experts, deadline, rng, counter)))
    threads.append(threading.Thread(
        target=importer, args=(Api(bases, tokens, rec), args.binary, args.workdir, deadline, random.Random(99))))
    for t in threads:
        t.start()
    last_report = started
    while any(t.is_alive() for t in threads[1:]):
        time.sleep(5)
        if time.monotonic() - last_report >= 60:
            last_report = time.monotonic()
            with rec.lock:
                done = sum(len(v) for v in rec.latency.values())
                errors = len(rec.errors)
            print(f"soak: {(last_report - started) / 60:.0f} min, {done} requests, {errors} errors, "
                  f"RSS {rss_kb(pids[0]) // 1024} + {rss_kb(pids[1]) // 1024} MiB", flush=True)
    stop.set()
    elapsed = time.monotonic() - started
    last = sample(started, pids, psql, bases, tokens["admin"])
    end = {"rss_kb": list(last[1:3]), "database_bytes": last[3], "heap_kb": list(last[4:6])}
    rec.samples.append(last)

    kinds = {}
    for kind, values in sorted(rec.latency.items()):
        kinds[kind] = {
            "count": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(quantile(values, 0.99) * 1000, 1),
        }
    errors_by_kind = defaultdict(int)
    for kind, status, _ in rec.errors:
        errors_by_kind[f"{kind} ({status})"] += 1
    summary = {
        "minutes": round(elapsed / 60, 1),
        "asked_minutes": args.minutes,
        "workers": args.workers,
        "decisions": counter["n"],
        "requests": sum(k["count"] for k in kinds.values()),
        "errors": len(rec.errors),
        "errors_by_kind": dict(errors_by_kind),
        "first_errors": rec.errors[:10],
        "kinds": kinds,
        "start": start,
        "end": end,
        "samples": rec.samples,
    }
    with open(args.summary, "w") as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)
    print(json.dumps({k: v for k, v in summary.items() if k != "samples"}, indent=1, ensure_ascii=False))
    if args.doc:
        write_doc(args.doc, summary, args.machine)
    return 1 if rec.errors else 0


BEGIN = "<!-- soak: begin (scripts/soak writes this section) -->"
END = "<!-- soak: end -->"


def ten_minute_means(samples, column):
    """The mean of one instance's samples in each ten minutes of load (the idle sample at 0 s left out), MiB."""
    spans = defaultdict(list)
    for x in samples[1:]:
        spans[int(x[0] // 600)].append(x[column])
    return [round(sum(v) / len(v) / 1024) for _, v in sorted(spans.items())]


def write_doc(path, s, machine):
    """Replaces the marked soak section of the benchmarks document (appended when absent) with this run."""
    mib = lambda kb: f"{kb / 1024:.0f} MiB"
    samples = s["samples"]
    # The first sample after a minute of load: caches, pools and the PDF fonts are in memory by then.
    warm = next((x for x in samples if x[0] >= 60), samples[-1])
    peak_a = max(x[1] for x in samples)
    peak_b = max(x[2] for x in samples)
    lines = [
        BEGIN,
        "## Soak: two instances on one PostgreSQL",
        "",
        f"`scripts/soak --minutes {s['asked_minutes']:g}` on {time.strftime('%Y-%m-%d')}: **a {s['asked_minutes']:g}-minute "
        f"run** ({s['minutes']:g} minutes with the last decisions finishing; the target run is 60 minutes). {machine}",
        "",
        f"{s['workers']} workers, each a county office taking a decision through its life (register, three experts "
        "rate, assess, read, compare, report as HTML and one in four as PDF, a concern in the ledger, list reads), "
        f"alternating between the two instances request by request, and a petition import of 5 000 generated rows "
        f"every {IMPORT_EVERY} s (one in four a re-sent file). {s['decisions']} decisions, {s['requests']} requests, "
        f"**{s['errors']} errors**.",
        "",
        "| request | count | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for kind, k in s["kinds"].items():
        if kind != "setup":
            lines.append(f"| {kind} | {k['count']} | {k['p50_ms']} | {k['p99_ms']} |")
    lines += [
        "",
        "| | instance A RSS | instance B RSS | database |",
        "|---|---:|---:|---:|",
        f"| start (idle, before the load) | {mib(samples[0][1])} | {mib(samples[0][2])} | "
        f"{samples[0][3] / 2**20:.0f} MiB |",
        f"| after {warm[0] / 60:.0f} min | {mib(warm[1])} | {mib(warm[2])} | {warm[3] / 2**20:.0f} MiB |",
        f"| end | {mib(samples[-1][1])} | {mib(samples[-1][2])} | {samples[-1][3] / 2**20:.0f} MiB |",
        f"| peak of the {len(samples)} samples | {mib(peak_a)} | {mib(peak_b)} | |",
        "",
        f"Resident memory every {SAMPLE_EVERY} s, MiB — A: " + ", ".join(f"{x[1] // 1024}" for x in samples)
        + "; B: " + ", ".join(f"{x[2] // 1024}" for x in samples) + ".",
        "",
        "Mean resident memory by ten minutes of load, MiB (whether it levels off or keeps climbing) — "
        + "; ".join(f"{name}: " + ", ".join(str(m) for m in ten_minute_means(samples, col)) for name, col in
                    (("A", 1), ("B", 2))) + ".",
        "",
        "Mean heap in use by ten minutes of load, MiB (what the service's code holds, counted by its allocator; "
        "the rest of the resident set is the allocator's free pages kept for reuse, the binary and the stacks) — "
        + "; ".join(f"{name}: " + ", ".join(str(m) for m in ten_minute_means(samples, col)) for name, col in
                    (("A", 4), ("B", 5))) + ".",
        "",
    ]
    if s["errors"]:
        lines.append("Errors by request (status): " + ", ".join(f"{k}: {v}" for k, v in s["errors_by_kind"].items()))
        lines.append("")
    lines.append(END)
    section = "\n".join(lines)
    with open(path) as f:
        doc = f.read()
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + section + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w") as f:
        f.write(doc)


if __name__ == "__main__":
    sys.exit(main())
