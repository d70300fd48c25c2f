"""The `ela` command."""

from __future__ import annotations

import click

from connector import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ela")
def main() -> None:
    """ELA Connector: customer mood, Experience Level Agreements and surveys for your service desk."""


from sentiment.cli import sentiment as _sentiment_commands  # noqa: E402

main.add_command(_sentiment_commands)
