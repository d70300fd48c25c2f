"""`ela setup` and `ela setup --dry-run` from the command line, on Jira and ServiceNow."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from connector.cli import main
from simulators.jira.simulator import JiraSimulator
from simulators.servicenow import ServiceNowSimulator
from tests.e2e.support import write_site_config


def test_servicenow_dry_run_then_setup(tmp_path: Path) -> None:
    with ServiceNowSimulator() as sim:
        config = write_site_config(tmp_path, "servicenow", sim.base_url, push=True, pull=False)
        runner = CliRunner()
        dry = runner.invoke(main, ["setup", "-c", str(config.path), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        lines = dry.output.splitlines()
        assert lines[0] == (
            "servicenow: create: table incident: column u_customer_mood (choice list: sys_dictionary "
            "internal_type=string, max_length=40, choice=1, label 'Customer mood')"
        )
        assert (
            "servicenow: create: table incident: choice of u_customer_mood: value 'Very negative', "
            in dry.output
        )
        assert "u_customer_mood" not in sim.columns("incident")  # nothing changed
        made = runner.invoke(main, ["setup", "-c", str(config.path)])
        assert made.exit_code == 0, made.output
        assert "servicenow: mood          -> u_customer_mood (u_customer_mood)" in made.output
        again = runner.invoke(main, ["setup", "-c", str(config.path), "--dry-run"])
        assert "servicenow: nothing to create" in again.output
        assert again.output.count("servicenow: exists: ") == 4


def test_jira_dry_run_lists_the_fields_to_create(tmp_path: Path) -> None:
    with JiraSimulator(seed="demo") as sim:
        config = write_site_config(tmp_path, "jira", sim.base_url, push=True, pull=False)
        dry = CliRunner().invoke(main, ["setup", "-c", str(config.path), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert (
            "jira: create: mood: custom field 'Customer mood' of type "
            "com.atlassian.jira.plugin.system.customfieldtypes:select" in dry.output
        )
        assert "options: Very negative, Negative, Neutral, Positive, Very positive" in dry.output
        assert not [r for r in sim.requests if r.method != "GET"]


def test_jira_setup_waits_out_a_rate_limit_and_creates_each_field_once(tmp_path: Path) -> None:
    with JiraSimulator(seed="demo") as sim:
        config = write_site_config(tmp_path, "jira", sim.base_url, push=True, pull=False)
        # Jira Cloud answers a burst of admin calls with 429: here the first select field's options,
        # twice, after the field and its context were made (so the runs after find them).
        sim.faults.add(method="POST", path=r"/option$", status=429, retry_after=1, times=2)
        made = CliRunner().invoke(main, ["setup", "-c", str(config.path)])
        assert made.exit_code == 0, made.output
        assert made.output.count("Jira rate limit (429)") == 2
        assert "again in 1 s (retry 1 of 5)" in made.output
        assert "jira: mood          -> customfield_" in made.output
        names = [f.name for f in sim.site.state.fields.values()]
        assert len(names) == len(set(names))  # nothing created twice by the runs after the 429s
        again = CliRunner().invoke(main, ["setup", "-c", str(config.path), "--dry-run"])
        assert "jira: nothing to create" in again.output


def test_jira_setup_reports_a_rate_limit_too_long_to_wait_and_creates_nothing_more(tmp_path: Path) -> None:
    with JiraSimulator(seed="demo") as sim:
        config = write_site_config(tmp_path, "jira", sim.base_url, push=True, pull=False)
        sim.faults.add(method="POST", path=r"/field$", status=429, retry_after=3600, times=None)
        made = CliRunner().invoke(main, ["setup", "-c", str(config.path)])
        assert made.exit_code == 1
        assert "it asks to wait 3600 s: run `ela setup` again later" in made.output
        assert "again in" not in made.output  # no hour-long wait
