"""The `ela` command."""

from __future__ import annotations

import json
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from connector import __version__
from connector.settings import ConfigError, Settings, load_settings
from connector.settings.durations import format_duration

CONFIG_HELP = "The YAML configuration file (default: $ELA_CONFIG)."


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def settings_from(path: str | None) -> Settings:
    if not path:
        fail("no configuration: pass --config FILE or set ELA_CONFIG (see config/example.yaml)", 2)
    try:
        return load_settings(path)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {exc.source}; nothing was started.", err=True)
        sys.exit(2)


config_option = click.option(
    "--config", "-c", "config_path", envvar="ELA_CONFIG", type=click.Path(dir_okay=False), help=CONFIG_HELP
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ela")
def main() -> None:
    """ELA Connector: how customers feel about your service desk, written onto their tickets.

    \b
    Start here:
      ela demo                      a scripted ticket story on a simulated service desk, no setup
      ela check-config FILE         validate a configuration, listing every problem
      ela setup -c FILE             create the custom fields a site maps results to
      ela serve -c FILE             run the service (webhooks, worker, write-backs)
      ela report ela -c FILE        ELA compliance per policy, and the SLA beside the ELA
      ela surveys -c FILE           survey sends: states, response rates, the latest answers
    """


class _DeskChoice(click.ParamType):  # type: ignore[type-arg]
    """The platforms `ela demo` has a simulated desk for, read only when the option is used or shown
    (the demo's module loads the whole service)."""

    name = "platform"

    def _choices(self) -> list[str]:
        from connector.demo import simulated_platforms

        return simulated_platforms()

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self._choices()) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value is not None and value not in self._choices():
            self.fail(f"{value!r} is not one of {', '.join(self._choices())}", param, ctx)
        return value  # type: ignore[no-any-return]


@main.command()
@click.option(
    "--platform",
    type=_DeskChoice(),
    default=None,
    help="Which simulated service desk to play the story on (default: the first listed).",
)
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo's database in this directory.")
@click.option("--pace", type=float, default=0.0, show_default=True, help="Seconds to pause between steps.")
@click.option("--json", "as_json", is_flag=True, help="End with the result as one JSON object.")
def demo(platform: str | None, keep: str | None, pace: float, as_json: bool) -> None:
    """Play a scripted ticket story against a simulated service desk, no setup needed.

    Starts a platform's simulator and the connector on loopback (SQLite, embedded settings), creates
    the mood and survey fields, then plays a request: a frustrated customer, agent replies, the
    customer calming down, the ticket resolved, a CSAT survey sent and answered through its link.
    Prints each field written back to the ticket as it happens.
    """
    from dataclasses import asdict

    from connector.demo import run_demo

    workdir = Path(keep).resolve() if keep else None
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    result = run_demo(click.echo, platform=platform, workdir=workdir, pace=pace)
    if as_json:
        _print_json(asdict(result))


@main.command("check-config")
@click.argument("path", type=click.Path(dir_okay=False))
def check_config(path: str) -> None:
    """Validate the configuration file PATH and report every problem with its line.

    Exit status 0 when valid, 2 otherwise. Environment variables referenced as ${NAME} must be set.
    """
    settings = settings_from(path)
    sites = ", ".join(f"{name} ({site.platform}, {site.where()})" for name, site in settings.sites.items())
    click.echo(f"{path}: OK")
    click.echo(f"  database: {settings.database.url.split('@')[-1]}")
    click.echo(f"  sites: {sites or 'none (the service will accept no webhooks)'}")
    policies = ", ".join(f"{name} ({policy.kind})" for name, policy in settings.ela.policies.items())
    click.echo(f"  ELA policies: {policies or 'none'}")
    if settings.surveys:
        described = ", ".join(
            f"{s.name} ({s.kind} {s.scale_range[0]}-{s.scale_range[1]}, {s.channel}, "
            + (
                f"cron {s.schedule.cron!r}"
                if s.schedule
                else f"{format_duration(s.timing.delay)} after resolution"
            )
            + ")"
            for s in settings.surveys
        )
        click.echo(f"  surveys: {described}")


@main.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@config_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(config_path: str | None, revision: str) -> None:
    """Bring the database schema up to date (needed once per release on PostgreSQL)."""
    from connector.store import Store

    settings = settings_from(config_path)
    store = Store(settings.database.url)
    before = store.current_revision()
    store.upgrade(revision)
    click.echo(f"schema: {before or 'empty'} -> {store.current_revision()}")
    store.dispose()


@main.command()
@config_option
@click.option("--host", help="Listen address (default: server.host).")
@click.option("--port", type=int, help="Listen port (default: server.port).")
@click.option("--workers", type=int, help="Web processes (default: server.workers).")
@click.option("--no-worker", is_flag=True, help="Web only; run `ela worker` elsewhere.")
def serve(
    config_path: str | None, host: str | None, port: int | None, workers: int | None, no_worker: bool
) -> None:
    """Run the service: web processes for the webhooks and a worker, restarted if one dies.

    The web processes (`server.workers`, each with `server.threads` threads) share one listening
    socket; a worker process beside them processes events, sends the outbox and fires due work. Any
    process that exits is started again with backoff. SIGTERM stops them all gracefully.
    """
    from connector.server import serve as run_server

    settings = settings_from(config_path)
    run_server(
        settings,
        str(Path(config_path).resolve()) if config_path else "",
        host=host or settings.server.host,
        port=settings.server.port if port is None else port,
        workers=workers or settings.server.workers,
        with_worker=not no_worker,
    )


@main.command()
@config_option
@click.option("--fd", type=int, help="Serve on this inherited listening socket (what `ela serve` passes).")
@click.option("--host", help="Listen address, without --fd (default: server.host).")
@click.option("--port", type=int, help="Listen port, without --fd (default: server.port).")
def web(config_path: str | None, fd: int | None, host: str | None, port: int | None) -> None:
    """One web process: the webhook endpoint alone (`ela serve` runs several, and a worker)."""
    import socket

    from connector.app import create_app
    from connector.logs import setup_logging
    from connector.runtime import SchemaOutOfDate, ensure_schema
    from connector.store import Store
    from connector.web import WebServer, listening_socket

    settings = settings_from(config_path)
    setup_logging(settings.logging)
    store = Store(settings.database.url)
    try:
        ensure_schema(store)
    except SchemaOutOfDate as exc:
        fail(str(exc), 2)
    if fd is not None:
        listener = socket.socket(fileno=fd)
    else:
        listener = listening_socket(
            host or settings.server.host, settings.server.port if port is None else port
        )
    server = WebServer(create_app(settings, store), listener, settings.server)
    server.stop_on_signals()
    server.serve()
    store.dispose()


@main.command()
@config_option
@click.option("--once", is_flag=True, help="One pass over due events, the outbox and due work, then exit.")
def worker(config_path: str | None, once: bool) -> None:
    """Process stored events, send the outbox, fire due work (alone, or beside `ela serve --no-worker`)."""
    from connector.logs import setup_logging
    from connector.runtime import Runtime, SchemaOutOfDate

    settings = settings_from(config_path)
    setup_logging(settings.logging)
    try:
        runtime = Runtime(settings)
    except SchemaOutOfDate as exc:
        fail(str(exc), 2)
    for signum in (signal.SIGINT, signal.SIGTERM):
        # The jobs finish the item in hand and let go of their other claims at once.
        signal.signal(signum, lambda *_: runtime.stopping.set())
    if once:
        report = runtime.worker.run_once()
        processed, flushed, fired = report.events, report.outbox, report.due
        polled = "".join(
            f"; poll of {site}: {p.stored} new of {p.found} found" + (", failed" if p.failed else "")
            for site, p in report.polls.items()
            if p.polled
        )
        click.echo(
            f"events: {processed.processed} processed, {processed.failed} failed; "
            f"write-backs: {flushed.sent} sent, {flushed.reconciled} reconciled, "
            f"{flushed.retried} to retry, {flushed.failed} failed; "
            f"due work: {fired.fired} fired, {fired.failed} failed{polled}"
        )
        runtime.close()
        return
    runtime.worker.start()
    runtime.stopping.wait()
    runtime.close()


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--recent", default=10, show_default=True, help="How many recent events and failures to list.")
def status(config_path: str | None, as_json: bool, recent: int) -> None:
    """Queue depths, failed outbox actions with the platform's message, due work, recent events."""
    from connector.runtime import SchemaOutOfDate, ensure_schema
    from connector.status import gather, render
    from connector.store import Store

    settings = settings_from(config_path)
    store = Store(settings.database.url)
    try:
        ensure_schema(store)
    except SchemaOutOfDate as exc:
        fail(str(exc), 2)
    report = gather(store, recent)
    store.dispose()
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else render(report))


@main.command()
@config_option
@click.option("--site", help="Only work of this site.")
@click.option("--ticket", help="Only work of this ticket (its key, e.g. SUP-12).")
@click.option(
    "--what",
    type=click.Choice(["all", "outbox", "events", "due"]),
    default="all",
    show_default=True,
    help="Which kind of failed work.",
)
def retry(config_path: str | None, site: str | None, ticket: str | None, what: str) -> None:
    """Put failed work back in its queue: outbox actions, parked events, due work.

    Each goes back due now with a fresh count of attempts; the worker takes it on its next pass.
    See what failed, and why, with `ela status` first.
    """
    from connector.runtime import SchemaOutOfDate, ensure_schema
    from connector.store import Store, due, events, outbox

    settings = settings_from(config_path)
    if site is not None and site not in settings.sites:
        fail(f"no site named {site} (sites: {', '.join(settings.sites) or 'none'})", 2)
    store = Store(settings.database.url)
    try:
        ensure_schema(store)
    except SchemaOutOfDate as exc:
        fail(str(exc), 2)
    counts = {}
    with store.session() as session:
        if what in ("all", "outbox"):
            counts["outbox actions"] = outbox.requeue_failed(session, site=site, ticket_key=ticket)
        if what in ("all", "events"):
            counts["events"] = events.requeue_failed(session, site=site, ticket_key=ticket)
        if what in ("all", "due"):
            counts["due work"] = due.requeue_failed(session, site=site, ticket_key=ticket)
    store.dispose()
    click.echo("requeued: " + ", ".join(f"{count} {name}" for name, count in counts.items()))


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--recent", default=20, show_default=True, help="How many of the latest sends to list.")
def surveys(config_path: str | None, as_json: bool, recent: int) -> None:
    """Survey sends: by survey and state, response rates, and the latest sends.

    Each send shows its state (scheduled, sent, reminded, answered, expired, cancelled, skipped), the
    reason of a skipped or cancelled one (throttled, sampled out, excluded, reopened ...), the delivery
    of an e-mail (delivered, unconfirmed, failed) and the score of an answered one.
    """
    from connector.runtime import SchemaOutOfDate, ensure_schema
    from connector.store import Store
    from connector.surveys.report import gather, render

    settings = settings_from(config_path)
    store = Store(settings.database.url)
    try:
        ensure_schema(store)
    except SchemaOutOfDate as exc:
        fail(str(exc), 2)
    report = gather(store, recent)
    store.dispose()
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else render(report))


@main.command()
@config_option
@click.option("--site", "site_names", multiple=True, help="Only this site (repeatable; default: every site).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Change nothing: print exactly what must be created (for an admin to create by hand).",
)
def setup(config_path: str | None, site_names: tuple[str, ...], dry_run: bool) -> None:
    """Create the custom fields each site maps results to, where missing.

    Fields mapped by name are found or created (select fields get the labels from `mood` as their
    options); fields mapped by id must exist already and are checked. Running it again creates
    nothing. With --dry-run nothing is created: each line says what an admin must create (read-only
    checks leave out what exists). A rate limit (429) is waited out as its Retry-After asks, and a
    5xx or a timeout tried again after 1, 2, 4 ... s; each wait is printed. What each platform needs
    (permissions, what a field is there) is in the README's section for it.
    """
    from functools import partial

    from adapters.errors import WriteError
    from connector.setup import ATTEMPTS, SetupUnsupported, patiently, plan_site, setup_site

    settings = settings_from(config_path)
    names = site_names or tuple(settings.sites)
    unknown = [n for n in names if n not in settings.sites]
    if unknown:
        fail(f"no site named {', '.join(unknown)} (sites: {', '.join(settings.sites) or 'none'})", 2)
    failed = False
    for name in names:
        site = settings.sites[name]

        def waiting(error: WriteError, seconds: float, attempt: int, name: str = name) -> None:
            click.echo(
                f"{name}: {error.message}; again in {seconds:g} s (retry {attempt} of {ATTEMPTS - 1})",
                err=True,
            )

        if not site.fields.mapped():
            click.echo(f"{name}: no fields mapped; nothing to do")
            continue
        if dry_run:
            try:
                plan = patiently(partial(plan_site, site, settings), waiting=waiting)
            except (WriteError, SetupUnsupported) as exc:
                click.echo(f"{name}: {getattr(exc, 'message', exc)}", err=True)
                failed = True
                continue
            if plan.note:
                click.echo(f"{name}: note: {plan.note}")
            for line in plan.existing:
                click.echo(f"{name}: exists: {line}")
            for line in plan.to_create:
                click.echo(f"{name}: create: {line}")
            if not plan.to_create:
                click.echo(f"{name}: nothing to create")
            continue
        try:
            result = patiently(partial(setup_site, site, settings), waiting=waiting)
        except WriteError as exc:
            click.echo(f"{name}: {exc.message}", err=True)
            failed = True
            continue
        except SetupUnsupported as exc:
            click.echo(f"{name}: {exc}", err=True)
            failed = True
            continue
        for key, field_id in {**result.created_or_found, **result.checked}.items():
            click.echo(f"{name}: {key:13} -> {field_id} ({site.fields.mapped()[key]})")
    if failed:
        sys.exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@config_option
@click.option("--site", help="The configured site the payloads came from (default: the only site).")
@click.option("--dry-run", is_flag=True, help="Print each TicketEvent as one JSON line; change nothing.")
def replay(files: tuple[str, ...], config_path: str | None, site: str | None, dry_run: bool) -> None:
    """Feed recorded webhook payloads (JSON files) through the connector.

    Each file is parsed as a delivery from SITE, stored (a file already replayed is a no-op, like a
    retried delivery), and processed; resulting write-backs are queued for the worker. Signatures are
    not checked: these are files you chose. With --dry-run nothing is stored: the normalised events
    are printed, one JSON object per line.
    """
    from connector.replay import ReplayError, replay_files

    settings = settings_from(config_path)
    try:
        summary = replay_files(settings, [Path(f) for f in files], site, dry_run=dry_run, emit=_print_json)
    except ReplayError as exc:
        fail(str(exc), 2)
    click.echo(summary, err=dry_run)


@main.group()
def report() -> None:
    """The connector's reports, from its database: `ela report ela` for ELA compliance."""


def _moment(value: str | None, *, end: bool) -> datetime | None:
    """A day (YYYY-MM-DD: its start; for --to, the whole day is in) or a date and time, in UTC unless
    it names its offset."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: give a day (2026-11-30) or a date and time (2026-11-30T18:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@report.command("ela")
@config_option
@click.option("--from", "start", metavar="DAY", help="From this day (or date and time) on; default: all.")
@click.option("--to", "end", metavar="DAY", help="Up to and including this day (or before a date and time).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="An aligned table, CSV for a spreadsheet, or JSON.",
)
def report_ela(config_path: str | None, start: str | None, end: str | None, fmt: str) -> None:
    """ELA compliance per policy, and resolved tickets' SLA beside their ELA.

    \b
    Per policy: tickets met and breached (dated by their verdict), compliance (met / decided), and the
    tickets at risk or on track now. Then the tickets resolved in the period, SLA met or breached against
    ELA met or breached: "SLA met, ELA breached" are the watermelons, green outside and red inside.
    """
    from connector.ela.report import ela_report
    from connector.reports.tables import as_csv, as_text
    from connector.runtime import SchemaOutOfDate, ensure_schema
    from connector.store import Store

    settings = settings_from(config_path)
    since, until = _moment(start, end=False), _moment(end, end=True)
    if since is not None and until is not None and since >= until:
        fail(f"--from ({start}) must come before --to ({end})", 2)
    store = Store(settings.database.url)
    try:
        ensure_schema(store)
    except SchemaOutOfDate as exc:
        fail(str(exc), 2)
    with store.session() as session:
        result = ela_report(session, settings.ela, start=since, end=until)
    store.dispose()
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    elif fmt == "csv":
        click.echo(as_csv(result.tables()))
    else:
        click.echo(as_text(result.tables()))


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


from sentiment.cli import sentiment as _sentiment_commands  # noqa: E402

main.add_command(_sentiment_commands)


if __name__ == "__main__":
    main()
