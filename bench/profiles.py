"""Where a process's CPU goes while a benchmark runs: py-spy (`pip install py-spy`) samples the live
process from outside, so the connector runs unchanged, and the samples are summed per function.

    python bench/e2e_bench.py --profile DIR ...     # the worker and a web process, per scenario
    python bench/ingest_bench.py --profile DIR ...  # a web process under each load

py-spy records the thread holding the GIL (`--gil`): Python code running, the process's CPU as
Python spends it; C calls that release the GIL (SQLite's commit, a socket read) are not in it, and
waiting is not either (bench/e2e_backlog.py's cProfile run of the pipeline gives wall time per
function). It pauses the process for each sample, which costs a few percent of its speed: the
figures of a profiled run are not the ones to quote. One recorder per process: two at once stall
each other. Each recording is kept in DIR in py-spy's raw format (`frame;frame;... count`, one stack
a line), which flamegraph tools read; the benchmark prints the functions with the most samples.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OURS = ("connector/", "adapters/", "sentiment/", "simulators/")


def py_spy() -> str | None:
    """py-spy beside this interpreter (a venv's bin/) or on PATH; None when not installed."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Recording:
    """py-spy recording one process's GIL holder until stopped (or until the process ends)."""

    def __init__(self, pid: int, out: Path, rate: int = 97) -> None:
        command = py_spy()
        if command is None:
            raise RuntimeError("--profile needs py-spy: pip install py-spy")
        self.out = out
        options = ["--pid", str(pid), "--rate", str(rate), "--format", "raw", "--output", str(out)]
        self.process = subprocess.Popen(
            [command, "record", "--gil", *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> Path | None:
        """The recording's file, once py-spy has written it; None if it wrote nothing."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        return self.out if self.out.exists() and self.out.stat().st_size else None


@dataclass(frozen=True)
class Hot:
    where: str  # path:function, the path from the repository or from site-packages
    own: float  # share of samples in the function itself
    total: float  # share of samples with the function on the stack


def _where(frame: str) -> str:
    """`claim_events (/work/x/connector/store/events.py:88)` -> `connector/store/events.py:claim_events`."""
    name, _, rest = frame.partition(" (")
    path = rest.rsplit(":", 1)[0] if rest else "?"
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif path.startswith(str(REPO)):
        path = path[len(str(REPO)) + 1 :]
    elif "/lib/python" in path:
        path = "stdlib/" + path.split("/lib/python", 1)[1].split("/", 1)[-1]
    return f"{path}:{name}"


def summarize(path: Path) -> tuple[int, list[Hot]]:
    """(samples, every function with its own and total share), from a raw recording."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_where(f) for f in stack.split(";") if f]
        if not frames:
            continue
        samples += count
        own[frames[-1]] += count
        for where in set(frames):
            total[where] += count
    hot = [Hot(w, own[w] / samples, total[w] / samples) for w in total] if samples else []
    return samples, hot


def report(path: Path, title: str, top: int = 12) -> str:
    """The functions that cost most, by their own samples and (project code only) with their callees."""
    samples, hot = summarize(path)
    if not samples:
        return f"{title}: no samples"
    lines = [title, f"  {samples:,} samples ({path.name}); own time:"]
    for h in sorted(hot, key=lambda h: -h.own)[:top]:
        lines.append(f"    {h.own:6.1%}  {h.where}")
    lines.append("  with callees (project code):")
    ours = [h for h in hot if h.where.startswith(OURS)]
    for h in sorted(ours, key=lambda h: -h.total)[:top]:
        lines.append(f"    {h.total:6.1%}  {h.where}")
    return "\n".join(lines)
