"""The connector's own reports, printed by `ela report ...`: what each report counts lives with its
room (connector/ela/report.py for ELA compliance); how a report is laid out as a table, CSV or JSON
lives here."""
