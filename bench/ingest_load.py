"""The ingest benchmark's clients: wrk with a Lua script, or a Python client when wrk is absent. Both
send every request as a new delivery (its own X-Atlassian-Webhook-Identifier) and keep the key of
every delivery answered 2xx, read from the intake's answer, so each one can be looked up after."""

from __future__ import annotations

import http.client
import json
import math
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = io.open("{body}", "rb"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature"] = "{signature}"
local threads = {{}}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end
local counter = 0
function request()
  counter = counter + 1
  -- wrk.format replaces wrk.headers with the table it is given: copy them in first.
  local headers = {{}}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["X-Atlassian-Webhook-Identifier"] = "{run}-" .. tid .. "-" .. counter
  return wrk.format(nil, nil, headers)
end
-- Each thread writes the delivery key of every 2xx answer to its own file, one a line.
local keys = nil
function response(status, headers, body)
  if status >= 200 and status < 300 and body then
    local key = string.match(body, '"delivery":%s*"([^"]+)"')
    if key then
      if not keys then
        keys = io.open("{keys}" .. tid .. ".txt", "w")
        keys:setvbuf("line")
      end
      keys:write(key, "\\n")
    end
  end
end
function done(summary, latency, requests)
  io.write(string.format('RESULT {{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(
    port: int, body: Path, signature: str, run: str, duration: float, connections: int, tmp: Path
) -> dict[str, Any]:
    script = tmp / f"{run}.lua"
    keys = tmp / f"{run}-keys-"
    script.write_text(WRK_SCRIPT.format(body=body, signature=signature, run=run, keys=keys))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{duration:.0f}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/webhooks/jira/bench",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["ok"] = result["requests"] - result["non2xx"]
    result["keys"] = [k for f in sorted(tmp.glob(f"{run}-keys-*.txt")) for k in f.read_text().split()]
    return result


def run_python_client(
    port: int, body: bytes, signature: str, run: str, duration: float, connections: int
) -> dict[str, Any]:
    latencies: list[float] = []
    acked: list[str] = []
    counts = {"requests": 0, "non2xx": 0, "socket_errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(tid: int) -> None:
        n = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            n += 1
            key = f"{run}-{tid}-{n}"
            headers = {
                "Content-Type": "application/json",
                "X-Hub-Signature": signature,
                "X-Atlassian-Webhook-Identifier": key,
            }
            started = time.perf_counter()
            try:
                conn.request("POST", "/webhooks/jira/bench", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                with lock:
                    counts["socket_errors"] += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            elapsed = time.perf_counter() - started
            with lock:
                counts["requests"] += 1
                counts["non2xx"] += not 200 <= status < 300
                latencies.append(elapsed)
                if 200 <= status < 300:
                    acked.append(key)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        **counts,
        "rps": counts["requests"] / wall,
        "ok": counts["requests"] - counts["non2xx"],
        "p50_us": statistics.median(latencies) * 1e6 if latencies else 0,
        "p99_us": latencies[max(0, math.ceil(len(latencies) * 0.99) - 1)] * 1e6 if latencies else 0,
        "keys": acked,
    }
