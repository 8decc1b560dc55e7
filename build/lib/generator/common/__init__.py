"""Plain Python shared by the templates and the deploy client: names, patterns, the scaling order, the Lambda zip.
No troposphere (import-linter checks)."""
