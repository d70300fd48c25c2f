"""`python -m simulators.jira`: the Jira simulator as a process, for manual use and benchmarks."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from simulators.jira.seed import DEMO_USERS, SEEDS
from simulators.jira.simulator import JiraSimulator


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.jira",
        description="A stateful Jira Cloud (with Service Management) on loopback; control API under /_sim.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--seed", choices=SEEDS, default="demo")
    parser.add_argument(
        "--openapi", type=Path, help="platform-swagger.v3.json: check every request against it"
    )
    parser.add_argument(
        "--webhook", action="append", default=[], help="URL to send every event to (repeatable)"
    )
    parser.add_argument("--webhook-secret", help="sign webhooks with this secret (X-Hub-Signature)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiplies webhook retry delays")
    parser.add_argument("--log-requests", action="store_true", help="print a line per request")
    parser.add_argument(
        "--rate-limit", type=float, help="REST requests per second, as Jira Cloud's limit (429 past it)"
    )
    args = parser.parse_args(argv)
    if args.openapi is not None and not args.openapi.is_file():
        parser.error(f"--openapi {args.openapi}: no such file")
    sim = JiraSimulator(
        args.openapi,
        seed=args.seed,
        webhook_time_scale=args.time_scale,
        log_requests=args.log_requests,
        rate_limit=args.rate_limit,
    )
    for url in args.webhook:
        sim.register_webhook(url, ["*"], args.webhook_secret)
    base_url = sim.start(args.host, args.port)
    print(f"Jira simulator on {base_url} (control API: {base_url}/_sim)", flush=True)
    if args.seed == "demo":
        for user in DEMO_USERS.values():
            if user.api_token:
                print(f"  {user.account_type:9} {user.email}:{user.api_token}", flush=True)
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    stopped.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
