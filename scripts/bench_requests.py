#!/usr/bin/env python3
"""Request latencies that are not report shapes (docs/BENCHMARKS.md, "Writes and rate limits").

Starts the release server (SQLite by default, or a PostgreSQL database it creates and drops) and measures,
sequentially over one keep-alive connection:
  - what the rate limiter adds: a one-row report page with limits counted in memory, then in Redis;
  - what tenant rules add to a write: creating a lead with the default configuration, then with a
    validation rule and a workflow rule configured.

    python3 scripts/bench_requests.py [--keel PATH] [--samples 500] [--postgres] [--redis redis://127.0.0.1:6379]
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PASSWORD = "correct horse battery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, keel, database_url, extra_env):
        self.dir = tempfile.TemporaryDirectory()
        self.port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "KEEL_DATABASE_URL": database_url or f"sqlite://{self.dir.name}/bench.db?mode=rwc",
            "KEEL_BIND": f"127.0.0.1:{self.port}",
            "KEEL_DATA_DIR": self.dir.name,
            "KEEL_JWT_SECRET": "bench-secret-0123456789abcdef0123456789",
            "KEEL_LOG_FORMAT": "json",
            "RUST_LOG": "warn",
            # Measuring, not limiting: every budget is far above what the benchmark sends.
            "KEEL_RATE_LIMIT_API_USER": "1000000/1m",
            "KEEL_RATE_LIMIT_API_TENANT": "1000000/1m",
        }
        env.update(extra_env)
        self.process = subprocess.Popen([keel, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                status, _ = self.request("GET", "/readyz")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not become ready")

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def request(self, method, path, body=None, token=None, conn=None):
        own = conn is None
        conn = conn or self.connection()
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if own:
            conn.close()
        return response.status, (json.loads(data) if data else None)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.dir.cleanup()


def sign_up(server):
    n = random.randrange(1 << 30)
    status, body = server.request("POST", "/api/auth/signup", {
        "tenant_name": f"Bench {n}", "name": "Bench", "email": f"bench{n}@keel.test", "password": PASSWORD})
    assert status == 201, body
    return body["token"]


def timed(server, samples, method, path_or_fn, token, body_fn=None):
    conn = server.connection()
    times = []
    for i in range(samples + samples // 10):
        body = body_fn(i) if body_fn else None
        started = time.perf_counter()
        status, answer = server.request(method, path_or_fn, body, token, conn)
        elapsed = time.perf_counter() - started
        assert status in (200, 201), (status, answer)
        if i >= samples // 10:  # the first tenth warms up
            times.append(elapsed * 1000)
    conn.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def lead(i):
    return {"company_name": f"Company {i}", "contact_name": f"Ada {i}", "email": f"ada{i}@bench.test",
            "lead_status": "new", "notes": "short"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keel", default=os.path.expanduser("~/.cache/keel/target/release/keel"))
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    args = parser.parse_args()

    database_url, pg_db = None, None
    if args.postgres:
        pg_db = f"keel_bench_requests_{random.randrange(1 << 30)}"
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f'CREATE DATABASE "{pg_db}"'], check=True)
        database_url = f"{args.pg_url}/{pg_db}"
    prefix = f"keel-bench-{random.randrange(1 << 30)}:"
    rows = []
    try:
        for label, env in [("in memory", {}), ("in Redis", {"KEEL_REDIS_URL": args.redis, "KEEL_REDIS_PREFIX": prefix})]:
            server = Server(args.keel, database_url, env)
            try:
                token = sign_up(server)
                median, p95 = timed(server, args.samples, "GET", "/api/leads?page_size=1", token)
                rows.append((f"report page, limits counted {label}", median, p95))
            finally:
                server.stop()
        server = Server(args.keel, database_url, {})
        try:
            token = sign_up(server)
            median, p95 = timed(server, args.samples, "POST", "/api/leads", token, lead)
            rows.append(("create a lead, default configuration", median, p95))
            status, config = server.request("GET", "/api/admin/backend-config", token=token)
            assert status == 200, config
            config["validation_rules"] = {"lead": {"required": ["phone"], "max_chars": {"notes": 500}}}
            config["workflow_rules"] = {"lead": {"transitions": {"new": ["contacted", "lost"]}}}
            status, saved = server.request("PUT", "/api/admin/backend-config", config, token)
            assert status == 200, saved

            def ruled_lead(i):
                return dict(lead(i + 100_000), phone="+1 555 0100 200")

            median, p95 = timed(server, args.samples, "POST", "/api/leads", token, ruled_lead)
            rows.append(("create a lead, with a validation and a workflow rule", median, p95))
        finally:
            server.stop()
    finally:
        if pg_db:
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)'])
        keys = subprocess.run(["redis-cli", "--scan", "--pattern", f"{prefix}*"], capture_output=True, text=True).stdout.split()
        if keys:
            subprocess.run(["redis-cli", "del", *keys], capture_output=True)

    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"| request ({database}, {args.samples} sequential samples) | median | p95 |")
    print("|---|---|---|")
    for name, median, p95 in rows:
        print(f"| {name} | {median:.2f} ms | {p95:.2f} ms |")


if __name__ == "__main__":
    sys.exit(main())
