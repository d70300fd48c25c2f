"""`python -m simulators.servicenow`: the ServiceNow simulator as a process."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from simulators.servicenow.seed import CONNECTOR, CONNECTOR_PASSWORD, CONNECTOR_TOKEN, SEEDS
from simulators.servicenow.simulator import ServiceNowSimulator


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.servicenow",
        description="A stateful ServiceNow instance (Table API and the connector's business rule) on "
        "loopback; control API under /_sim.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--seed", choices=SEEDS, default="demo")
    parser.add_argument("--webhook", help="install the business rule, posting to this URL")
    parser.add_argument("--webhook-secret", help="the secret the business rule signs with")
    parser.add_argument("--log-requests", action="store_true", help="print a line per request")
    args = parser.parse_args(argv)
    sim = ServiceNowSimulator(seed_name=args.seed, log_requests=args.log_requests)
    if args.webhook:
        sim.install_business_rule(args.webhook, args.webhook_secret)
    base_url = sim.start(args.host, args.port)
    print(f"ServiceNow simulator on {base_url} (control API: {base_url}/_sim)", flush=True)
    print(f"  connector  {CONNECTOR}:{CONNECTOR_PASSWORD} (Bearer {CONNECTOR_TOKEN})", flush=True)
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
