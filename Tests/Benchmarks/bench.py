#!/usr/bin/env python3
"""make bench: jobctl against curl | jq, a Python requests loop and curl's own keep-alive floor.

Everything runs on this machine against a small HTTP/1.1 keep-alive server on 127.0.0.1 started
here, with bounded request counts. CPU and memory are measured from the kernel's accounting of
each child process (getrusage, /proc/PID/status), wall time with a monotonic clock; each figure
is the median of several runs. Nothing here asserts a threshold: it prints a table.
"""
import http.server
import json
import os
import resource
import shutil
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release/jobctl"
# The scale table's sizes; JOBCTL_BENCH_SCALE=1000,10000 for a shorter run. JOBCTL_BENCH_ONLY=scale
# runs only the scale table and the budget run.
SIZES = [int(n) for n in os.environ.get("JOBCTL_BENCH_SCALE", "1000,10000,100000").split(",") if n]
ONLY = os.environ.get("JOBCTL_BENCH_ONLY", "")


class State:
    lock = threading.Lock()
    connections = 0
    requests = 0
    done_at = {}  # job id -> monotonic time it completes (None: never)
    completed_at = {}  # job id -> first time it was served as completed
    polls_to_complete = 0  # > 0: a job completes at its Nth poll, whatever the time
    polls = {}  # job id -> polls served
    budget = None  # (quota, window seconds): announced with RateLimit, 429 beyond it
    window_start = 0.0
    window_used = 0
    too_many = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK hold the body back for 40 ms on every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with State.lock:
            State.connections += 1

    def log_message(self, *args):
        pass

    def do_GET(self):
        job = self.path.rsplit("/", 1)[-1]
        now = time.monotonic()
        extra = []
        with State.lock:
            State.requests += 1
            if State.budget:
                quota, window = State.budget
                if now >= State.window_start + window:
                    State.window_start, State.window_used = now, 0
                State.window_used += 1
                left = max(0, quota - State.window_used)
                reset = max(1, int(State.window_start + window - now + 0.999))
                extra.append(("RateLimit", f'"default";r={left};t={reset}'))
                if State.window_used > quota:
                    State.too_many += 1
                    self.send_response(429)
                    self.send_header("Retry-After", str(reset))
                    for name, value in extra:
                        self.send_header(name, value)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                    return
            if State.polls_to_complete:
                n = State.polls[job] = State.polls.get(job, 0) + 1
                done = now if n >= State.polls_to_complete else None
            else:
                done = State.done_at.get(job)
            status = "completed" if done is not None and now >= done else "pending"
            if status == "completed":
                State.completed_at.setdefault(job, now)
        body = json.dumps({"jobId": job, "type": "bench", "status": status, "result": {"address": "0x" + "ab" * 20}}).encode()
        self.send_response(200)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 2048


def start_server():
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def reset(done=None, polls_to_complete=0, budget=None):
    with State.lock:
        State.connections = 0
        State.requests = 0
        State.done_at = dict(done or {})
        State.completed_at = {}
        State.polls_to_complete = polls_to_complete
        State.polls = {}
        State.budget = budget
        State.window_start = 0.0
        State.window_used = 0
        State.too_many = 0


def wait_for_many(base, jobs, extra):
    """Runs one `wait -` over `jobs`; returns (CPU seconds, peak RSS KiB, exit time, exit code)."""
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write("\n".join(jobs) + "\n")
        listing = f.name
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(listing) as stdin:
        proc = subprocess.Popen([BIN, "wait", "-", "--base-url", base, "--progress", "none", "--json"] + extra,
                                stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        while proc.poll() is None:
            try:
                with open(f"/proc/{proc.pid}/status") as st:
                    for line in st:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.01)
        exited = time.monotonic()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(listing)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, peak, exited, proc.returncode


def scale_rows(base):
    """The scale table: N jobs of two polls each, and N jobs under an announced budget."""
    rows = []
    interval = 1.0
    for n in SIZES:
        reset(polls_to_complete=2)
        jobs = [f"s{i}" for i in range(n)]
        cpu, peak, exited, code = wait_for_many(base, jobs, ["--interval", f"{interval:g}s", "--max-connections", "8"])
        with State.lock:
            polls = State.requests
            last = max(State.completed_at.values()) if State.completed_at else exited
        rows.append((f"{n:,} jobs: CPU per poll", f"{cpu / max(polls, 1) * 1000:.3f} ms",
                     f"{polls:,} polls, {cpu:.2f} s CPU, exit {code}"))
        rows.append((f"{n:,} jobs: peak RSS", f"{peak / 1024:.1f} MiB", f"{peak / n:.2f} KiB a job"))
        rows.append((f"{n:,} jobs: exit after the last completion", f"{(exited - last) * 1000:.0f} ms",
                     f"interval {interval:g}s (target: within interval + 1 s)"))
    # The budget run: 200 jobs of two polls under 100 requests a 5 s window.
    quota, window, n = 100, 5, 200
    reset(polls_to_complete=2, budget=(quota, window))
    t0 = time.monotonic()
    _, _, exited, code = wait_for_many(base, [f"b{i}" for i in range(n)], ["--interval", "1s"])
    with State.lock:
        too_many = State.too_many
        polls = State.requests
    # A budget is paced (docs/behaviour.md "How `wait` behaves"): what is left is spread over the
    # time to the reset (one request every t / r seconds), never sent in a burst at the start of a
    # window. So the bound is the budget's rate: 2n requests at quota / window a second, the
    # first at once. The burst bound (a whole window's quota at its first instant) is shown
    # beside it; no paced client meets it.
    bound = (2 * n - 1) / (quota / window)
    burst = (2 * n - quota) / (quota / window)
    rows.append((f"budget run: {n} jobs, {quota} a {window}s: 429s earned", str(too_many), f"{polls} requests, exit {code}"))
    rows.append(("budget run: total time / the budget's paced bound", f"{exited - t0:.1f} / {bound:.1f} s",
                 f"ratio {(exited - t0) / bound:.2f} (target within 1.2); burst bound {burst:.1f} s"))
    return rows


def run(cmd, shell=False):
    """Runs a command; returns (wall seconds, CPU seconds, peak RSS KiB) of it and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, executable="/bin/bash" if shell else None)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss, proc.returncode


def peak_rss(cmd):
    """Peak RSS (KiB) of one process, read from /proc while it runs (ru_maxrss of children is a maximum over all)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.002)
    return peak


def median(values):
    return statistics.median(values)


def main():
    if not os.path.exists(BIN):
        sys.exit(f"bench: {BIN} not found (make bench builds it)")
    server, base = start_server()
    rows = []
    if ONLY == "scale":
        rows = scale_rows(base)
        server.shutdown()
        for name, value, note in rows:
            print(f"{name:<48}  {value:>16}  {note}")
        return
    have_jq = shutil.which("jq") is not None and shutil.which("curl") is not None

    # 1. One-shot status --field against curl | jq (wall time, peak RSS).
    reset({"one": 0})
    url = f"{base}/jobs/one"
    walls = [run([BIN, "status", "one", "--base-url", base, "--field", "result.address"])[0] for _ in range(30)]
    rss = median([peak_rss([BIN, "status", "one", "--base-url", base, "--field", "result.address"]) for _ in range(10)])
    rows.append(("one-shot status --field: wall", f"{median(walls) * 1000:.1f} ms", ""))
    rows.append(("one-shot status --field: peak RSS", f"{rss / 1024:.1f} MiB", ""))
    if have_jq:
        cwalls = [run(f"curl -s {url} | jq -r .result.address", shell=True)[0] for _ in range(30)]
        crss = median([peak_rss(["curl", "-s", url, "-o", "/dev/null"]) for _ in range(10)])
        rows[-2] = rows[-2][:2] + (f"curl | jq: {median(cwalls) * 1000:.1f} ms (ratio {median(walls) / median(cwalls):.2f})",)
        rows[-1] = rows[-1][:2] + (f"curl alone: {crss / 1024:.1f} MiB",)

    # 2. CPU per poll over many polls at a tiny interval. Each side is the median of seven runs,
    # taken in turn, so a passing load on the machine falls on both alike. jobctl pauses 1 ms
    # before each poll (its --interval) and curl's loop does not: a pause costs CPU of its own
    # (waking up, caches gone cold), so curl is also run with the same pause (--rate 1000/s).
    polls = 500
    urls = " ".join([f"-o /dev/null {base}/jobs/slow"] * polls)
    cpus, curl_cpus, paced_cpus = [], [], []
    have_rate = "--rate" in subprocess.run(["curl", "--help", "all"], capture_output=True, text=True).stdout
    for _ in range(7):
        reset({"slow": None})
        _, cpu, _, _ = run([BIN, "wait", "slow", "--base-url", base, "--interval", "1ms", "--max-attempts", str(polls), "--progress", "none"])
        cpus.append(cpu / polls)
        curl_cpus.append(run(f"curl -s {urls}", shell=True)[1] / polls)
        if have_rate:
            paced_cpus.append(run(f"curl -s --rate 1000/s {urls}", shell=True)[1] / polls)
    jobctl_cpu, curl_cpu = median(cpus), median(curl_cpus)
    spread = f"{min(c / k for c, k in zip(cpus, curl_cpus)):.2f} to {max(c / k for c, k in zip(cpus, curl_cpus)):.2f}"
    rows.append(("CPU per poll: jobctl wait", f"{jobctl_cpu * 1000:.3f} ms", f"over {polls} polls, --interval 1ms, median of 7"))
    rows.append(("CPU per poll: curl, 500 URLs in one process", f"{curl_cpu * 1000:.3f} ms",
                 f"libcurl's keep-alive floor, no pause (jobctl / curl: {jobctl_cpu / curl_cpu:.2f}; run by run {spread})"))
    if paced_cpus:
        paced_cpu = median(paced_cpus)
        rows.append(("CPU per poll: curl --rate 1000/s, the same URLs", f"{paced_cpu * 1000:.3f} ms",
                     f"a 1 ms pause before each, as jobctl's (jobctl / curl: {jobctl_cpu / paced_cpu:.2f})"))
    if have_jq:
        n = 100
        _, cpu, _, _ = run(f"for i in $(seq {n}); do curl -s {base}/jobs/slow | jq -r .status >/dev/null; done", shell=True)
        rows.append(("CPU per poll: bash loop of curl | jq", f"{cpu / n * 1000:.3f} ms", f"over {n} polls"))
    py = f"""
import requests, time
s = requests.Session()
for _ in range({polls}):
    s.get('{base}/jobs/slow').json()['status']
"""
    try:
        import requests  # noqa: F401
        _, cpu, _, _ = run([sys.executable, "-c", py])
        rows.append(("CPU per poll: Python requests.Session", f"{cpu / polls * 1000:.3f} ms", f"over {polls} polls, start-up included"))
    except ImportError:
        rows.append(("CPU per poll: Python requests.Session", "n/a", "requests not installed"))

    # 2b. Instructions per poll (valgrind's callgrind counts them, the same whatever else the
    # machine is doing): the difference between a run of 1,000 polls and one of 200, so start-up
    # cancels out. CPU seconds above include waking from the 1 ms sleep before every poll, which
    # curl's back-to-back loop never pays; instructions compare the work itself.
    if shutil.which("valgrind"):
        def instructions(cmd, env=None):
            with tempfile.TemporaryDirectory() as d:
                out = os.path.join(d, "cg")
                subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                with open(out) as f:
                    for line in f:
                        if line.startswith("totals:") or line.startswith("summary:"):
                            return int(line.split()[1])
            return 0

        def per_poll(make, env=None):
            return (instructions(make(1000), env) - instructions(make(200), env)) / 800

        reset({"slow": None})
        jobctl_ir = per_poll(lambda n: [BIN, "wait", "slow", "--base-url", base, "--interval", "1ms",
                                        "--max-attempts", str(n), "--progress", "none"])
        curl_ir = per_poll(lambda n: ["curl", "-s"] + [a for _ in range(n) for a in ("-o", "/dev/null", f"{base}/jobs/slow")])
        rows.append(("instructions per poll: jobctl wait", f"{jobctl_ir / 1000:.0f} k", "callgrind, 1,000 polls minus 200"))
        # The same wait with every poll signed (--aws-sigv4; the server ignores the signature):
        # what libcurl's Signature V4 adds to a poll.
        keys = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        signed_ir = per_poll(lambda n: [BIN, "wait", "slow", "--base-url", base, "--interval", "1ms", "--max-attempts", str(n),
                                        "--progress", "none", "--aws-sigv4", "aws:amz:us-east-1:execute-api"], keys)
        rows.append(("instructions per poll: jobctl wait, signed", f"{signed_ir / 1000:.0f} k",
                     f"--aws-sigv4 (signed / unsigned: {signed_ir / jobctl_ir:.2f}; target: at most 1.10)"))
        rows.append(("instructions per poll: curl", f"{curl_ir / 1000:.0f} k", f"the same (jobctl / curl: {jobctl_ir / curl_ir:.2f})"))

    # 3. Connections opened by one wait of 20 polls.
    reset({"twenty": time.monotonic() + 1.0})
    run([BIN, "wait", "twenty", "--base-url", base, "--interval", "50ms", "--progress", "none"])
    rows.append(("connections per wait", str(State.connections), f"{State.requests} polls"))

    # 4. 1,000 jobs in one wait.
    jobs = [f"j{i}" for i in range(1000)]
    finish = time.monotonic() + 4.0
    reset({j: finish + (i % 10) * 0.1 for i, j in enumerate(jobs)})
    last_done = finish + 0.9
    cpu, peak, exited, _ = wait_for_many(base, jobs, ["--interval", "1s"])
    rows.append(("1,000 jobs: exit after the last job completed", f"{(exited - last_done) * 1000:.0f} ms", "interval 1s (target: within interval + 1 s)"))
    rows.append(("1,000 jobs: peak RSS", f"{peak / 1024:.1f} MiB", "target under 40 MiB"))
    rows.append(("1,000 jobs: connections", str(State.connections), "cap --max-connections (4)"))
    rows.append(("1,000 jobs: CPU", f"{cpu:.2f} s", f"{State.requests} polls, {cpu / max(State.requests, 1) * 1000:.3f} ms each"))

    # 5. Memory over a long wait: RSS after 100 polls and after 10,000.
    reset({"long": None})
    proc = subprocess.Popen([BIN, "wait", "long", "--base-url", base, "--interval", "1ms", "--max-attempts", "10000", "--progress", "none"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = {}
    while proc.poll() is None:
        with State.lock:
            n = State.requests
        for mark in (100, 9990):
            if n >= mark and mark not in samples:
                try:
                    with open(f"/proc/{proc.pid}/status") as st:
                        samples[mark] = next(int(l.split()[1]) for l in st if l.startswith("VmRSS:"))
                except (OSError, StopIteration):
                    pass
        time.sleep(0.001)
    if 100 in samples and 9990 in samples:
        rows.append(("RSS after 100 polls / after 10,000", f"{samples[100] / 1024:.2f} / {samples[9990] / 1024:.2f} MiB",
                     f"growth {(samples[9990] - samples[100]) / 1024:.2f} MiB (target within 1 MiB)"))

    # 6. The scale table and the budget run.
    rows += scale_rows(base)

    server.shutdown()
    width = max(len(r[0]) for r in rows)
    print(f"jobctl benchmark ({os.uname().machine}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})")
    print(f"{'measure'.ljust(width)}  {'jobctl / value':>16}  notes")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value:>16}  {note}")


if __name__ == "__main__":
    main()
