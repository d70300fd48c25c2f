from click.testing import CliRunner

from connector.cli import main


def test_help_lists_the_command_name() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "ELA Connector" in result.output
