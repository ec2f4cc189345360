#!/usr/bin/env python3
"""File upload/download benchmark (issue 11): python3 bench/files.py [--bin target/release/rocket]

Starts the release binary on SQLite with local storage in a temporary directory,
then measures
  * the server's resident memory at idle and its peak (VmHWM) while 10 clients upload
    a 10 MB file at once (3 rounds),
  * upload throughput: 10 MB files, one after another (MB/s),
  * download throughput: the same file read back, one after another (MB/s).
Only loopback traffic. Standard library only.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

MB = 1024 * 1024
SIZE = 10 * MB
BOUNDARY = "rocketbenchboundary"


def rss_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def call(port, method, path, body=None, token=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def multipart(content):
    head = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def upload(port, token, body):
    status, data = call(port, "POST", "/api/bench/_files/upload", body, token,
                        {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    if status != 201:
        raise SystemExit(f"upload failed: {status} {data[:200]!r}")
    return json.loads(data)["data"]["id"]


def start(binary, work, port):
    env = dict(os.environ, ROCKET_SERVER_HOST="127.0.0.1", ROCKET_SERVER_PORT=str(port),
               ROCKET_DATABASE_DATA_DIR=os.path.join(work, "data"), ROCKET_LOG="warn",
               ROCKET_INSTRUMENTATION_ENABLED="false")
    p = subprocess.Popen([binary, "serve"], cwd=work, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if call(port, "GET", "/health")[0] == 200:
                return p
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise SystemExit("server did not start")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/rocket")
    ap.add_argument("--port", type=int, default=18741)
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="rocket-files-bench.")
    server = start(os.path.abspath(a.bin), work, a.port)
    try:
        _, d = call(a.port, "POST", "/api/_platform/auth/login",
                    {"email": "platform@localhost", "password": "changeme"})
        ptoken = json.loads(d)["data"]["access_token"]
        call(a.port, "POST", "/api/_platform/apps", {"name": "bench"}, ptoken)
        _, d = call(a.port, "POST", "/api/bench/auth/login",
                    {"email": "admin@localhost", "password": "changeme"})
        token = json.loads(d)["data"]["access_token"]
        body = multipart(os.urandom(SIZE))
        # One small upload so every code path is warm before idle is read.
        upload(a.port, token, multipart(b"warm"))
        time.sleep(0.5)
        idle = rss_kb(server.pid, "VmRSS")
        for _ in range(3):
            threads = [threading.Thread(target=upload, args=(a.port, token, body)) for _ in range(10)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        peak = rss_kb(server.pid, "VmHWM")
        print(f"memory: idle {idle / 1024:.1f} MiB, peak with 10 concurrent 10 MB uploads "
              f"{peak / 1024:.1f} MiB (+{(peak - idle) / 1024:.1f} MiB)")

        t0 = time.perf_counter()
        ids = [upload(a.port, token, body) for _ in range(a.rounds)]
        up = a.rounds * SIZE / MB / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for i in ids:
            status, data = call(a.port, "GET", f"/api/bench/_files/{i}", token=token)
            assert status == 200 and len(data) == SIZE, (status, len(data))
        down = a.rounds * SIZE / MB / (time.perf_counter() - t0)
        print(f"throughput (10 MB file, sequential, {a.rounds} rounds): "
              f"upload {up:.0f} MB/s, download {down:.0f} MB/s")
    finally:
        server.terminate()
        server.wait(timeout=10)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
