"""The YAML file: every option validated, every problem reported with its path and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from connector.settings import ConfigError, Settings, load_settings, parse_settings
from sentiment.mood import Mood

REPO = Path(__file__).resolve().parents[2]
ENV = {
    "JIRA_TOKEN": "token-1234567890",
    "JIRA_WEBHOOK_SECRET": "s3cret-s3cret-s3cret",
    "SERVICENOW_PASSWORD": "sn-password-123",
    "SERVICENOW_WEBHOOK_SECRET": "sn-s3cret-s3cret-s3cret",
    "ELA_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T000/B000/XXXX",
    "SMTP_PASSWORD": "smtp-password",
    "ELA_SURVEY_SECRET": "survey-secret-0123456789-0123456789",
}

SITE = """
sites:
  jira-prod:
    platform: jira
    url: https://example.atlassian.net
    auth: {email: bot@example.com, api_token: "${JIRA_TOKEN}"}
    webhook: {secret: "${JIRA_WEBHOOK_SECRET}"}
    fields: {mood: Customer mood}
"""


def problems(text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(textwrap.dedent(text), "ela.yaml", env=ENV if env is None else env)
    return [p.render("ela.yaml") for p in caught.value.problems]


def test_example_config_is_valid_and_sets_every_option() -> None:
    settings = load_settings(REPO / "config" / "example.yaml", env=ENV)
    site = settings.sites["jira-prod"]
    assert site.auth.api_token is not None and site.auth.api_token.get_secret_value() == ENV["JIRA_TOKEN"]
    assert site.fields.mapped() == {
        "mood": "Customer mood",
        "mood_score": "Customer mood score",
        "initial_mood": "Initial customer mood",
        "mood_trend": "Customer mood trend",
        "ela_status": "ELA status",
        "ela_reason": "ELA reason",
        "ela_due": "ELA due",
        "sla_ela": "SLA and ELA",
        "csat_score": "CSAT score",
        "nps_score": "NPS score",
        "ces_score": "CES score",
        "survey_comment": "Survey comment",
        "survey_status": "Survey status",
    }
    assert set(settings.ela.policies) == {"reply-to-unhappy", "chasing", "recover", "steady", "satisfied"}
    # Every option of every section appears in the example file, so it really documents them all.
    text = (REPO / "config" / "example.yaml").read_text()

    def names(model: type) -> set[str]:
        found = set()
        for name, info in model.model_fields.items():  # type: ignore[attr-defined]
            found.add(name)
            annotation = info.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                found |= names(annotation)
        return found

    servicenow = settings.sites["servicenow-prod"]
    assert servicenow.pull.enabled and servicenow.fields.mapped()["mood"] == "u_customer_mood"
    every = names(Settings) | names(type(site)) | names(type(servicenow))
    missing = sorted(n for n in every if f"{n}:" not in text)
    assert missing == []


@pytest.mark.parametrize("name", ["demo.yaml", "demo-servicenow.yaml"])
def test_the_demo_configurations_in_config_are_the_demos_own_files(name: str) -> None:
    """`ela demo` reads its configuration from the package (it must work from a wheel); config/ shows
    the same files to a reader. Links, not copies: a copy drifts."""
    shown, used = REPO / "config" / name, REPO / "connector" / name
    assert shown.resolve() == used.resolve()
    load_settings(used, env=ENV)  # and it is a valid configuration


def test_empty_file_gives_defaults() -> None:
    settings = parse_settings("", env={})
    assert settings.database.url == "sqlite:///ela.db"
    assert settings.sites == {}
    assert settings.mood.labels.label(Mood.very_negative) == "Very negative"


def test_env_interpolation_default_and_escape() -> None:
    settings = parse_settings(
        "database:\n  url: ${DB_URL:-sqlite:///fallback.db}\nlogging:\n  level: ${LEVEL}\n"
        "sites:\n  a:\n    platform: jira\n    url: https://a.example\n"
        "    auth:\n      email: x@a.example\n      api_token: $${literal}\n"
        "    webhook: {secret: s3cret-s3cret-s3cret}\n",
        env={"LEVEL": "DEBUG"},
    )
    assert settings.database.url == "sqlite:///fallback.db"
    assert settings.logging.level == "DEBUG"
    token = settings.sites["a"].auth.api_token
    assert token is not None and token.get_secret_value() == "${literal}"


def test_an_unknown_sentiment_engine_is_a_configuration_error() -> None:
    [problem] = problems("sentiment:\n  engine: magic\n")
    assert problem.startswith(
        "ela.yaml:1: sentiment: unknown sentiment engine 'magic': choose one of textblob"
    )


def test_missing_env_var_is_reported_at_its_line() -> None:
    assert problems(SITE, env={"JIRA_TOKEN": "token-1234567890"}) == [
        "ela.yaml:7: sites.jira-prod.webhook.secret: environment variable JIRA_WEBHOOK_SECRET is not set"
    ]


def test_every_problem_is_reported_at_once_with_path_and_line() -> None:
    text = SITE.replace("fields: {mood: Customer mood}", "fields: {mood: Customer mood, moood: x}") + (
        "server:\n  port: 70000\nmood:\n"
        "  thresholds: {very_negative: -0.5, negative: 0.9, neutral: 0.1, positive: 0.5}\n"
    )
    assert problems(text) == [
        "ela.yaml:8: sites.jira-prod.fields.moood: unknown option (check the spelling against config/example.yaml)",
        "ela.yaml:10: server.port: Input should be less than or equal to 65535",
        "ela.yaml:12: mood.thresholds: mood band bounds must rise within [-1, 1], got [-0.5, 0.9, 0.1, 0.5]",
    ]


def test_duplicate_keys_are_refused() -> None:
    assert problems("server:\n  port: 1\nserver:\n  port: 2\n") == [
        "ela.yaml:3: server: duplicate key (first defined on line 1)"
    ]


def test_yaml_syntax_error_names_the_line() -> None:
    [problem] = problems("server:\n  port: [1, 2\nworker: {}\n")
    assert problem.startswith("ela.yaml:3: (top level): not valid YAML")


def test_site_needs_a_webhook_proof_and_one_auth_scheme() -> None:
    text = """
    sites:
      jira-prod:
        platform: jira
        url: https://example.atlassian.net
        auth: {email: bot@example.com}
        webhook: {}
    """
    assert problems(text) == [
        "ela.yaml:6: sites.jira-prod.auth: give either `email` + `api_token` (Jira Cloud) or "
        "`personal_access_token` (Data Center)",
        "ela.yaml:7: sites.jira-prod.webhook: set `secret` (signed admin webhooks) or `token` "
        "(Automation, Data Center)",
    ]


def test_site_names_and_platforms() -> None:
    text = """
    sites:
      Jira Prod:
        platform: zendesk
      other: {url: https://x.example}
    """
    assert problems(text) == [
        "ela.yaml:3: sites.Jira Prod: site names become URL paths: use lower-case letters, digits, - and _",
        "ela.yaml:3: sites.Jira Prod: platform 'zendesk' is not supported yet (supported: jira, servicenow)",
        "ela.yaml:5: sites.other: `platform` is required (supported: jira, servicenow)",
    ]


def test_data_center_needs_api_v2() -> None:
    text = SITE.replace("platform: jira", "platform: jira\n    deployment: datacenter")
    assert problems(text) == [
        "ela.yaml:3: sites.jira-prod: Jira Data Center has no REST API v3: set api_version: '2'"
    ]


def test_labels_partially_overridden_must_stay_distinct() -> None:
    settings = parse_settings("mood:\n  labels:\n    very_negative: Furious\n", env={})
    assert settings.mood.labels.label(Mood.very_negative) == "Furious"
    assert settings.mood.labels.label(Mood.negative) == "Negative"
    assert problems("mood:\n  labels:\n    positive: Neutral\n") == [
        "ela.yaml:2: mood.labels: labels must differ from each other (they become the options of a select field)"
    ]


def test_secrets_never_appear_in_repr() -> None:
    settings = parse_settings(SITE, env=ENV)
    assert ENV["JIRA_TOKEN"] not in repr(settings)
    assert ENV["JIRA_WEBHOOK_SECRET"] not in repr(settings)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "absent.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(binary)


def test_top_level_must_be_a_mapping() -> None:
    assert problems("- a\n- b\n") == ["ela.yaml:1: (top level): the file must be a mapping of sections"]


SERVICENOW = """
sites:
  snow:
    platform: servicenow
    url: https://acme.service-now.com
    auth: {user: ela.connector, password: "${SERVICENOW_PASSWORD}"}
    fields: {mood: u_customer_mood}
    pull: {enabled: true}
"""


def test_a_servicenow_site_polled_without_webhooks() -> None:
    settings = parse_settings(SERVICENOW, env=ENV)
    site = settings.sites["snow"]
    assert site.webhook is None and site.pull.enabled and site.pull.overlap_seconds == 120
    assert site.where() == "https://acme.service-now.com/"


def test_a_site_must_be_pushed_to_or_polled() -> None:
    assert problems(SERVICENOW.replace("    pull: {enabled: true}\n", "")) == [
        "ela.yaml:3: sites.snow: set `webhook` (the platform pushes its changes) or `pull: {enabled: true}` "
        "(the connector polls the platform), or both"
    ]


def test_servicenow_sites_are_checked() -> None:
    text = (
        SERVICENOW.replace("fields: {mood: u_customer_mood}", "fields: {mood: Customer mood}").replace(
            "https://acme.service-now.com", "https://acme.service-now.com/nav"
        )
        + "    tables: [incident, incident]\n    labels_field: Labels\n"
    )
    found = problems(text)
    assert (
        "ela.yaml:5: sites.snow.url: give the instance's address only, e.g. https://acme.service-now.com"
        in found
    )
    assert any("tables: list each table once" in p for p in found)
    assert any("labels_field: 'Labels' is not a custom column name" in p for p in found)
    both = SERVICENOW.replace('password: "${SERVICENOW_PASSWORD}"', "password: x, oauth_token: y")
    assert any("give `password` (Basic auth) or `oauth_token`" in p for p in problems(both))
    columns = problems(SERVICENOW.replace("u_customer_mood", "customer_mood"))
    assert any("ServiceNow results go into custom columns, named u_" in p for p in columns)
