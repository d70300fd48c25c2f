"""Every benchmark, one after another, and one table of their figures: each measurement beside its
target (issue 11's, where it sets one), its ratio to the baseline measured in the same run, and
whether the target is met; then the machine it ran on and its load.

    python bench/run_all.py [--quick] [--own-postgres] [--postgres URL ...] [--only ingest,e2e,...]
                            [--markdown FILE] [--json FILE] [--logs DIR]

Benches: ingest (webhooks/s through the intake vs a bare Flask), claim (one worker claim over a
large backlog), e2e (webhook to write-back through real processes: isolated, bursts, sustained,
backlog, RSS), sentiment (macro-F1 and comments/s), survey (surveys/s to a rate-limited Jira), ela
(the ELA step's cost, timers/s). Each runs in its own process with `--json`; its output is shown
as it goes, prefixed with its name, and kept in --logs DIR when given.

PostgreSQL: --own-postgres starts two throwaway clusters for the run (bench/pg_cluster.py; needs
the server package): one with default durability and one with fsync=off, as CI runs it; --postgres
URL names servers of your own (their public schema is dropped). The figures name each server's
durability as the server reports it.

--quick is a smoke run (about 10 minutes here instead of hours): small counts and short loads,
figures that show the shape, not ones to quote. Figures, not pass/fail: the exit status is 1 only
when a bench failed to run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import Figure, machine, machine_line, markdown_table, read_figures

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "sentiment"
BENCHES = ("ingest", "claim", "e2e", "sentiment", "survey", "ela")


@dataclass(frozen=True)
class Run:
    bench: str
    label: str  # what the progress lines and a failure row call it
    args: tuple[str, ...]


def plan(only: Sequence[str], quick: bool, postgres: Sequence[str]) -> tuple[list[Run], list[Figure]]:
    """The bench invocations, and a figure for each bench that cannot run here (saying why)."""
    pg: list[str] = [a for url in postgres for a in ("--postgres", url)]
    runs: list[Run] = []
    missing: list[Figure] = []
    for bench in only:
        if bench == "ingest":
            runs.append(Run(bench, bench, ("--duration", "3", "--runs", "1", *pg) if quick else (*pg,)))
        elif bench == "claim":
            size = ("--events", "10000", "--tickets", "50", "1000") if quick else ()
            runs.append(Run(bench, bench, (*size, *pg)))
        elif bench == "e2e":
            runs.append(Run(bench, bench, ("--quick", *pg) if quick else (*pg,)))
        elif bench == "sentiment":
            files = (
                [SHARED / "jira-dev.csv"]
                if quick
                else sorted(SHARED.glob("*.csv")) + sorted((SHARED / "customer").glob("*.csv"))
            )
            files = [f for f in files if f.exists()]
            if files:
                runs.append(Run(bench, bench, tuple(str(f) for f in files)))
            else:
                missing.append(
                    Figure(bench, "macro-F1 and comments/s", None, note=f"no labelled CSVs in {SHARED}")
                )
        elif bench == "survey":
            size = ("--surveys", "500", "--baseline", "100") if quick else ("--baseline", "300")
            runs.append(Run(bench, "survey (SQLite)", size))
            if postgres:
                runs.append(Run(bench, "survey (PostgreSQL)", (*size, "--postgres", postgres[0])))
        elif bench == "ela":
            runs.append(Run(bench, bench, ("--tickets", "50", "--rounds", "1") if quick else ()))
    return runs, missing


def run_bench(run: Run, json_path: Path, log: Path, started: float) -> int:
    """The bench in its own process; every line it prints is shown at once, prefixed with its name
    and the minutes since the start, and kept in `log`."""
    command = [
        sys.executable,
        str(REPO / "bench" / f"{run.bench}_bench.py"),
        *run.args,
        "--json",
        str(json_path),
    ]
    with log.open("w") as out:
        out.write("$ " + " ".join(command) + "\n")
        process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            minutes = (time.monotonic() - started) / 60
            print(f"[{minutes:5.1f} min] {run.label}: {line.rstrip()}", file=sys.stderr, flush=True)
        return process.wait()


def collect(runs: Sequence[Run], workdir: Path, logs: Path) -> tuple[list[Figure], list[str]]:
    """Every run's figures in order; a bench that failed leaves a row saying so, and its log's name."""
    figures: list[Figure] = []
    failed: list[str] = []
    started = time.monotonic()
    for n, run in enumerate(runs):
        json_path = workdir / f"{n}-{run.bench}.json"
        log = logs / f"{n}-{run.label.replace(' ', '-').replace('(', '').replace(')', '')}.log"
        print(
            f"[{(time.monotonic() - started) / 60:5.1f} min] {run.label}: starting",
            file=sys.stderr,
            flush=True,
        )
        status = run_bench(run, json_path, log, started)
        if status == 0 and json_path.exists():
            figures += read_figures(json.loads(json_path.read_text()))
        else:
            failed.append(run.label)
            figures.append(
                Figure(
                    run.bench, f"{run.label}: did not run to the end", None, note=f"exit {status}, see {log}"
                )
            )
    return figures, failed


def summary(figures: Sequence[Figure]) -> str:
    judged = [f for f in figures if f.met is not None]
    met = [f for f in judged if f.met]
    missed = [f for f in judged if not f.met]
    lines = [f"targets met: {len(met)} of {len(judged)}"]
    lines += [f"  missed: {f.bench}: {f.what}: {f.shown} (target {f.target})" for f in missed]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: small counts, short loads")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        action="append",
        default=[],
        help="also measure on this PostgreSQL (its public schema is dropped); more than once for several",
    )
    parser.add_argument(
        "--own-postgres",
        action="store_true",
        help="start two throwaway clusters for the run: default durability, and fsync=off as in CI",
    )
    parser.add_argument("--only", default=",".join(BENCHES), help=f"benches to run, of {','.join(BENCHES)}")
    parser.add_argument(
        "--markdown", type=Path, metavar="FILE", help="also write the table and machine to FILE"
    )
    parser.add_argument(
        "--json", dest="json_path", type=Path, metavar="FILE", help="also write every figure as JSON"
    )
    parser.add_argument("--logs", type=Path, metavar="DIR", help="keep each bench's full output in DIR")
    args = parser.parse_args(argv)
    only = [b for b in args.only.split(",") if b]
    unknown = sorted(set(only) - set(BENCHES))
    if unknown:
        parser.error(f"--only: no bench {', '.join(unknown)} (choose from {', '.join(BENCHES)})")

    with ExitStack() as stack:
        postgres = list(args.postgres)
        if args.own_postgres:
            from bench.pg_cluster import Cluster

            print(
                "starting two PostgreSQL clusters (default durability; fsync=off)",
                file=sys.stderr,
                flush=True,
            )
            postgres += [
                stack.enter_context(Cluster(durable=True)),
                stack.enter_context(Cluster(durable=False)),
            ]
        before = machine(postgres[0] if postgres else None)
        print(machine_line(before), file=sys.stderr, flush=True)
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ela-run-all-")))
        logs = args.logs or workdir
        logs.mkdir(parents=True, exist_ok=True)
        runs, figures = plan(only, args.quick, postgres)
        measured, failed = collect(runs, workdir, logs)
        figures = measured + figures
        after = machine()

    mode = "--quick (a smoke run: figures not to quote)" if args.quick else "full run"
    command = "python bench/run_all.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = "\n".join(
        [
            markdown_table(figures),
            "",
            f"Machine: {machine_line(before, after)}. {mode}: `{command.strip()}`",
            "",
            summary(figures),
        ]
    )
    print(text, flush=True)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.json_path:
        document = {"machine": before, "machine_after": after, "figures": [asdict(f) for f in figures]}
        args.json_path.write_text(json.dumps(document, indent=1, default=str) + "\n")
    if failed:
        print(f"benches that did not run to the end: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
