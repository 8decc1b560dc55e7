"""No intrinsic function in the template can fail for any value a parameter can take, on any branch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.inputs import ARN_MODE, OPTIONAL_EMPTY
from tests.support.template_eval import EveryBranchEvaluator


@pytest.mark.parametrize("values", OPTIONAL_EMPTY.values(), ids=OPTIONAL_EMPTY.keys())
def test_every_branch_of_every_expression_evaluates_with_optional_inputs_empty(
    template: dict[str, Any], values: dict[str, str]
) -> None:
    EveryBranchEvaluator(template, values).everything()


def test_the_strict_evaluator_fails_on_a_select_out_of_range(template: dict[str, Any]) -> None:
    broken = {
        **template,
        "Outputs": {"Bad": {"Value": {"Fn::Select": [5, {"Fn::Split": [":", {"Ref": "EcrRepoArn"}]}]}}},
    }
    with pytest.raises(IndexError, match="Fn::Select 5 of a 1-item list"):
        EveryBranchEvaluator(broken, ARN_MODE).everything()
