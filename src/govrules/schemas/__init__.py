"""The published JSON Schemas (pack, provisions, rules, cases, project, report).

``python -m govrules.schemas`` regenerates ``report.schema.json`` from the report model
(``govrules.report_schema``); ``govrules facts --format schema`` prints ``project.schema.json``.
"""
