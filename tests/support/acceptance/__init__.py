"""The acceptance lane: the end-to-end scenarios run against a real AWS account that a maintainer names.

Its own logic lives here (the opt-in and the account check, the cost and time bound, the model the scenarios
deploy, the resources they need, the sweeper), tested offline in the package tests.acceptance_lane; the live
scenarios are in tests.acceptance, marked `acceptance`, which `make test` excludes. `make acceptance` runs
`python -m tests.support.acceptance run`; `make acceptance-clean` runs its `clean`.
"""
