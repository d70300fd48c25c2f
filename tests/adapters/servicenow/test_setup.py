"""`ela setup` on ServiceNow: u_ columns through sys_dictionary, choices through sys_choice, once; and the
dry run that lists exactly what an admin must create."""

from __future__ import annotations

import pytest

from adapters.errors import PermanentWriteError
from adapters.results import FieldSpec
from adapters.servicenow.settings import writer
from adapters.servicenow.setup import plan, setup
from simulators.servicenow import ServiceNowSimulator
from tests.adapters.servicenow.conftest import site_settings

SPECS = [
    FieldSpec("mood", "u_customer_mood", "select", ("Very negative", "Negative", "Neutral")),
    FieldSpec("mood_score", "u_customer_mood_score", "number"),
]


def _posts(sim: ServiceNowSimulator, table: str) -> int:
    return len([r for r in sim.requests if r.method == "POST" and r.path == f"/api/now/table/{table}"])


def test_setup_creates_each_column_and_choice_once(sim: ServiceNowSimulator) -> None:
    site = site_settings(sim.base_url)
    snow = writer(site)
    result = setup(site, SPECS, snow)
    assert result.created_or_found == {"mood": "u_customer_mood", "mood_score": "u_customer_mood_score"}
    for table in ("incident", "sn_customerservice_case"):
        columns = sim.columns(table)
        assert (
            columns["u_customer_mood"].type == "string" and columns["u_customer_mood_score"].type == "float"
        )
    choices = [c for c in sim.instance.records["sys_choice"].values() if c["element"] == "u_customer_mood"]
    assert sorted(c["label"] for c in choices if c["name"] == "incident") == [
        "Negative",
        "Neutral",
        "Very negative",
    ]
    made = (_posts(sim, "sys_dictionary"), _posts(sim, "sys_choice"))
    assert made == (4, 6)
    setup(site, SPECS, snow)
    assert (_posts(sim, "sys_dictionary"), _posts(sim, "sys_choice")) == made  # a second run creates nothing
    # A new option (a relabelled mood) is added to the existing column.
    setup(site, [FieldSpec("mood", "u_customer_mood", "select", ("Very negative", "Furious"))], snow)
    assert _posts(sim, "sys_choice") == made[1] + 2


def test_the_dry_run_lists_exactly_what_to_create_and_changes_nothing(sim: ServiceNowSimulator) -> None:
    site = site_settings(sim.base_url, tables=["incident"])
    snow = writer(site)
    before = plan(site, SPECS, snow)
    assert before.note == "" and before.existing == ()
    assert before.to_create == (
        "table incident: column u_customer_mood (choice list: sys_dictionary internal_type=string, "
        "max_length=40, choice=1, label 'Customer mood')",
        "table incident: choice of u_customer_mood: value 'Very negative', label 'Very negative', sequence 1 (sys_choice)",
        "table incident: choice of u_customer_mood: value 'Negative', label 'Negative', sequence 2 (sys_choice)",
        "table incident: choice of u_customer_mood: value 'Neutral', label 'Neutral', sequence 3 (sys_choice)",
        "table incident: column u_customer_mood_score (floating point number: sys_dictionary "
        "internal_type=float, max_length=40, label 'Customer mood score')",
    )
    assert "u_customer_mood" not in sim.columns("incident")
    assert not [r for r in sim.requests if r.method != "GET"]
    setup(site, SPECS, snow)
    after = plan(site, SPECS, snow)
    assert after.to_create == () and len(after.existing) == 2


def test_without_admin_setup_says_what_to_do_and_the_dry_run_lists_everything(
    sim: ServiceNowSimulator,
) -> None:
    sim.instance.add_user(
        "ela.plain", "Plain", "plain@example.com", roles=("itil",), password="plain-password"
    )
    site = site_settings(
        sim.base_url, tables=["incident"], auth={"user": "ela.plain", "password": "plain-password"}
    )
    snow = writer(site)
    with pytest.raises(PermanentWriteError, match=r"refused permission \(403\).*--dry-run"):
        setup(site, SPECS, snow)
    listed = plan(site, SPECS, snow)
    assert listed.note.startswith("could not read the dictionary")
    assert len(listed.to_create) == 5


def test_a_name_taken_by_a_column_of_another_type_is_refused(sim: ServiceNowSimulator) -> None:
    site = site_settings(sim.base_url, tables=["incident"])
    snow = writer(site)
    setup(site, [FieldSpec("mood_score", "u_customer_mood", "number")], snow)
    with pytest.raises(PermanentWriteError, match="u_customer_mood exists as float, not string"):
        setup(site, SPECS, snow)
