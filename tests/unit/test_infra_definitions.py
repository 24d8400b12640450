"""What is deployed, checked on paper: the Step Functions ASL, the CloudFormation merge template
(infra/resources.json) and the pynamodb models must agree with each other.

No AWS and no moto: moto accepts a definition whose `Next` names a missing state and only fails at run
time (see MOTO-NOTES), so the structure is checked here. `asl_problems` is small and reusable; the
tests at the bottom of its section feed it broken definitions to prove each check can fail.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "infra" / "resources.json"
# Every module of chalicelib.models, so a new model cannot escape the check.
MODEL_MODULES = tuple(
    path.stem for path in (ROOT / "chalicelib" / "models").glob("*.py") if path.stem not in ("__init__", "base")
)
MAX_STATES_PER_REGISTRATION = 12  # the goal for state transitions per registration

PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
# Retrying these would re-run a task-token wait after its timeout, or re-run after a cleanup failure.
FORBIDDEN_RETRY_ERRORS = frozenset({"States.ALL", "States.Timeout", "States.TaskFailed"})
NO_NEXT_NEEDED = frozenset({"Choice", "Succeed", "Fail"})
STATE_TYPES = frozenset({"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"})


# --------------------------------------------------------------------------------------------- loading


@cache
def _template() -> dict[str, Any]:
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


def template() -> dict[str, Any]:
    return json.loads(json.dumps(_template()))  # a copy: a test cannot spoil another's template


def resources_of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in template()["Resources"].items() if res["Type"] == kind}


def state_machine() -> tuple[str, dict[str, Any]]:
    (item,) = resources_of_type("AWS::StepFunctions::StateMachine").items()
    return item


def asl_path() -> Path:
    _, resource = state_machine()
    return ROOT / resource["Metadata"]["vssid:definition"]


def real_definition() -> dict[str, Any]:
    return json.loads(asl_path().read_text(encoding="utf-8"))


def real_substitutions() -> dict[str, Any]:
    _, resource = state_machine()
    return resource["Properties"]["DefinitionSubstitutions"]


# ------------------------------------------------------------------------------------ the ASL checker


def _strings(node: Any) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _error_names(entries: Any) -> list[list[str]]:
    return [list(entry.get("ErrorEquals", [])) for entry in entries or []]


def _sub_machines(state: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The nested state machines of a Parallel (Branches) or a Map (ItemProcessor, or legacy Iterator)."""
    for index, branch in enumerate(state.get("Branches", []) or []):
        yield f"Branches[{index}]", branch
    for key in ("ItemProcessor", "Iterator"):
        if isinstance(state.get(key), dict):
            yield key, state[key]


def _successors(state: dict[str, Any], *, catch_to: Mapping[str, Any] | None = None) -> list[str]:
    """The states control can pass to. With `catch_to` (the scope's states), Catch edges into Fail
    states are left out — the cost of a failed run is not the cost of a registration."""
    targets: list[str] = []
    if "Next" in state:
        targets.append(state["Next"])
    if state.get("Type") == "Choice":
        targets.extend(rule["Next"] for rule in state.get("Choices", []) if "Next" in rule)
        if "Default" in state:
            targets.append(state["Default"])
    for catcher in state.get("Catch", []) or []:
        if "Next" not in catcher:
            continue
        target = catcher["Next"]
        if catch_to is not None and catch_to.get(target, {}).get("Type") == "Fail":
            continue
        targets.append(target)
    return targets


def _machine_problems(machine: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        return [f"{where}: no States"]
    start = machine.get("StartAt")
    if start not in states:
        problems.append(f"{where}: StartAt {start!r} is not a state")

    for name, state in states.items():
        at = f"{where}/{name}"
        kind = state.get("Type")
        if kind not in STATE_TYPES:
            problems.append(f"{at}: unknown Type {kind!r}")

        # Every transition names an existing state.
        if "Next" in state and state["Next"] not in states:
            problems.append(f"{at}: Next {state['Next']!r} is not a state")
        if kind == "Choice":
            if not state.get("Choices"):
                problems.append(f"{at}: Choice without Choices")
            for index, rule in enumerate(state.get("Choices", []) or []):
                if rule.get("Next") not in states:
                    problems.append(f"{at}: Choices[{index}] Next {rule.get('Next')!r} is not a state")
            if "Default" in state and state["Default"] not in states:
                problems.append(f"{at}: Default {state['Default']!r} is not a state")
        for index, catcher in enumerate(state.get("Catch", []) or []):
            if catcher.get("Next") not in states:
                problems.append(f"{at}: Catch[{index}] Next {catcher.get('Next')!r} is not a state")

        # Every state that does not end the run says where it goes.
        if kind not in NO_NEXT_NEEDED:
            has_next, has_end = "Next" in state, state.get("End") is True
            if not has_next and not has_end:
                problems.append(f"{at}: neither Next nor End")
            if has_next and has_end:
                problems.append(f"{at}: both Next and End")

        # Tasks: retried on transient errors only; token waits bounded and their timeout handled.
        if kind == "Task":
            if not state.get("Retry"):
                problems.append(f"{at}: Task without Retry")
            resource = str(state.get("Resource", ""))
            if resource.endswith(".waitForTaskToken"):
                if "TimeoutSeconds" not in state and "TimeoutSecondsPath" not in state:
                    problems.append(f"{at}: token wait without TimeoutSeconds or TimeoutSecondsPath")
                handler = next(
                    (errs for errs in _error_names(state.get("Catch"))
                     if "States.Timeout" in errs or "States.ALL" in errs),
                    None,
                )
                if handler is None:
                    problems.append(f"{at}: token wait without a Catch for States.Timeout")
                elif "States.Timeout" not in handler:
                    problems.append(f"{at}: token wait's timeout is caught by States.ALL, not a States.Timeout Catch")
        for index, errors in enumerate(_error_names(state.get("Retry"))):
            for error in sorted(FORBIDDEN_RETRY_ERRORS.intersection(errors)):
                problems.append(f"{at}: Retry[{index}] retries {error}")

        # moto cannot run JSONata or variables.
        if "Assign" in state:
            problems.append(f"{at}: uses Assign")
        if state.get("QueryLanguage") == "JSONata":
            problems.append(f"{at}: uses JSONata")
        for key in ("Arguments", "Output"):
            if key in state:
                problems.append(f"{at}: uses the JSONata field {key}")

        for label, sub in _sub_machines(state):
            problems.extend(_machine_problems(sub, f"{at}/{label}"))

    # Every state is reachable from StartAt.
    if start in states:
        seen, todo = {start}, [start]
        while todo:
            for target in _successors(states[todo.pop()]):
                if target in states and target not in seen:
                    seen.add(target)
                    todo.append(target)
        problems.extend(f"{where}/{name}: unreachable from StartAt" for name in states if name not in seen)
    return problems


def asl_problems(definition: Mapping[str, Any], substitutions: Mapping[str, Any] | None = None) -> list[str]:
    """Everything wrong with an ASL definition that moto would accept and only trip over at run time.

    With `substitutions` (the template's DefinitionSubstitutions), every `${Placeholder}` must be one of
    its keys and every key must be used. Returns readable problems; [] means clean.
    """
    problems: list[str] = []
    if definition.get("QueryLanguage") == "JSONata":
        problems.append("/: uses JSONata")
    problems.extend(
        f"/: JSONata expression {text!r}" for text in _strings(dict(definition)) if text.strip().startswith("{%")
    )
    problems.extend(_machine_problems(dict(definition), ""))
    if substitutions is not None:
        used = {name for text in _strings(dict(definition)) for name in PLACEHOLDER.findall(text)}
        problems.extend(f"placeholder ${{{name}}} is not in DefinitionSubstitutions"
                        for name in sorted(used - set(substitutions)))
        problems.extend(f"DefinitionSubstitutions {name!r} is never used" for name in sorted(set(substitutions) - used))
    return problems


def longest_path(machine: Mapping[str, Any]) -> int:
    """The most states a run can enter, StartAt to a terminal state, Catch edges to Fail left out.

    A Parallel counts itself plus the longest path of each branch (every branch runs); a Map counts one
    item. A cycle has no bound and raises ValueError.
    """
    states = machine["States"]
    memo: dict[str, int] = {}

    def cost(name: str, stack: tuple[str, ...]) -> int:
        if name in stack:
            raise ValueError(f"cycle through {' -> '.join((*stack, name))}")
        if name not in memo:
            state = states[name]
            own = 1 + sum(longest_path(sub) for _, sub in _sub_machines(state))
            after = [cost(target, (*stack, name)) for target in _successors(state, catch_to=states)]
            memo[name] = own + max(after, default=0)
        return memo[name]

    return cost(machine["StartAt"], ())


# --------------------------------------------------------------------------- the real definition


def test_registration_workflow_has_no_structural_problems():
    assert asl_problems(real_definition(), real_substitutions()) == []


def test_placeholders_found_in_the_raw_file_are_those_the_checker_saw():
    raw = set(PLACEHOLDER.findall(asl_path().read_text(encoding="utf-8")))
    parsed = {name for text in _strings(real_definition()) for name in PLACEHOLDER.findall(text)}
    assert raw == parsed == set(real_substitutions())


def test_a_registration_enters_at_most_twelve_states():
    assert longest_path(real_definition()) <= MAX_STATES_PER_REGISTRATION


# ------------------------------------------------------------------ the checker catches each defect


def _task(**extra: Any) -> dict[str, Any]:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:updateItem",
        "Retry": [{"ErrorEquals": ["DynamoDB.ThrottlingException"], "MaxAttempts": 2}],
    }
    state.update(extra)
    return state


def _wait_task(**extra: Any) -> dict[str, Any]:
    state = _task(
        Resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        TimeoutSecondsPath="$.wait",
        Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Mark"}, {"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
        Next="Done",
    )
    state.update(extra)
    return state


def _clean() -> dict[str, Any]:
    return {
        "StartAt": "Due",
        "States": {
            "Due": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.due", "BooleanEquals": True, "Next": "Wait"}],
                "Default": "Done",
            },
            "Wait": _wait_task(),
            "Mark": _task(Parameters={"TableName": "${Table}"}, Next="Done"),
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "X"},
        },
    }


def _with(change: dict[str, Any], *, drop: tuple[str, ...] = (), top: dict[str, Any] | None = None) -> dict[str, Any]:
    """The clean definition with some states replaced, some removed, some top-level keys changed."""
    definition = _clean()
    definition["States"].update(change)
    for name in drop:
        del definition["States"][name]
    definition.update(top or {})
    return definition


def _parallel(branch_states: dict[str, Any], start: str = "B1") -> dict[str, Any]:
    """The clean definition with a Parallel state between Mark and Done."""
    fan = {"Type": "Parallel", "Branches": [{"StartAt": start, "States": branch_states}], "Next": "Done"}
    return _with({"Mark": _task(Next="Fan"), "Fan": fan})


def test_the_clean_sample_passes_so_each_failure_below_is_its_defect_alone():
    assert asl_problems(_clean(), {"Table": {"Ref": "T"}}) == []
    assert longest_path(_clean()) == 4  # Due → Wait → Mark → Done; the Catch into Failed is left out


@pytest.mark.parametrize(("definition", "expected"), [
    pytest.param(_with({}, top={"StartAt": "Nowhere"}), "StartAt 'Nowhere' is not a state", id="start-missing"),
    pytest.param(_with({"Mark": _task(Next="Gone")}), "Next 'Gone' is not a state", id="next-missing"),
    pytest.param(_with({"Due": {"Type": "Choice", "Choices": [{"Variable": "$.d", "BooleanEquals": True,
                                                               "Next": "Wait"}], "Default": "Gone"}}),
                 "Default 'Gone' is not a state", id="default-missing"),
    pytest.param(_with({"Due": {"Type": "Choice", "Choices": [{"Variable": "$.d", "BooleanEquals": True,
                                                               "Next": "Gone"}], "Default": "Wait"}}),
                 "Choices[0] Next 'Gone' is not a state", id="choice-next-missing"),
    pytest.param(_with({"Wait": _wait_task(Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Mark"},
                                                  {"ErrorEquals": ["SQS.X"], "Next": "Gone"},
                                                  {"ErrorEquals": ["States.ALL"], "Next": "Failed"}])}),
                 "Catch[1] Next 'Gone' is not a state", id="catch-next-missing"),
    pytest.param(_with({"Orphan": {"Type": "Succeed"}}), "/Orphan: unreachable from StartAt", id="unreachable"),
    pytest.param(_with({"Mark": _task()}), "/Mark: neither Next nor End", id="no-next-no-end"),
    pytest.param(_with({"Pause": {"Type": "Pass"}, "Mark": _task(Next="Pause")}),
                 "/Pause: neither Next nor End", id="pass-without-next"),
    pytest.param(_with({"Mark": {k: v for k, v in _task(Next="Done").items() if k != "Retry"}}),
                 "/Mark: Task without Retry", id="task-without-retry"),
    pytest.param(_with({"Mark": _task(Next="Done", Retry=[{"ErrorEquals": ["States.ALL"]}])}),
                 "Retry[0] retries States.ALL", id="retry-all"),
    pytest.param(_with({"Wait": _wait_task(Retry=[{"ErrorEquals": ["SQS.X", "States.Timeout"]}])}),
                 "Retry[0] retries States.Timeout", id="retry-timeout"),
    pytest.param(_with({"Mark": _task(Next="Done", Retry=[{"ErrorEquals": ["X"]},
                                                          {"ErrorEquals": ["States.TaskFailed"]}])}),
                 "Retry[1] retries States.TaskFailed", id="retry-task-failed"),
    pytest.param(_with({"Mark": _task(Next="Done", Assign={"n.$": "$.n"})}), "/Mark: uses Assign", id="assign"),
    pytest.param(_with({}, top={"QueryLanguage": "JSONata"}), "/: uses JSONata", id="jsonata-top"),
    pytest.param(_with({"Mark": _task(Next="Done", QueryLanguage="JSONata")}), "/Mark: uses JSONata",
                 id="jsonata-state"),
    pytest.param(_with({"Mark": _task(Next="Done", Parameters={"TableName": "{% $t %}"})}),
                 "JSONata expression '{% $t %}'", id="jsonata-expression"),
    pytest.param(_with({"Mark": _task(Next="Done", Output={"n": 1})}), "/Mark: uses the JSONata field Output",
                 id="jsonata-field"),
])
def test_the_checker_reports_each_broken_definition(definition, expected):
    problems = asl_problems(definition)
    assert len(problems) == 1 and expected in problems[0], problems


def _without(state: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k not in keys}


def test_a_token_wait_without_timeout_is_reported():
    definition = _with({"Wait": _without(_wait_task(), "TimeoutSecondsPath")})
    assert asl_problems(definition) == ["/Wait: token wait without TimeoutSeconds or TimeoutSecondsPath"]


def test_a_token_wait_with_a_fixed_timeout_is_accepted():
    wait = _without(_wait_task(), "TimeoutSecondsPath")
    assert asl_problems(_with({"Wait": wait | {"TimeoutSeconds": 864000}})) == []


def test_a_token_wait_without_a_timeout_catch_is_reported():
    definition = _with({"Wait": _wait_task(Catch=[{"ErrorEquals": ["SQS.X"], "Next": "Mark"},
                                                  {"ErrorEquals": ["Custom.Error"], "Next": "Failed"}])})
    assert asl_problems(definition) == ["/Wait: token wait without a Catch for States.Timeout"]


def test_a_token_wait_whose_timeout_falls_into_a_catch_all_is_reported():
    definition = _with({"Wait": _wait_task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Failed"},
                                                  {"ErrorEquals": ["States.Timeout"], "Next": "Mark"}])})
    assert asl_problems(definition) == [
        "/Wait: token wait's timeout is caught by States.ALL, not a States.Timeout Catch"
    ]


def test_a_placeholder_missing_from_the_substitutions_is_reported():
    assert asl_problems(_clean(), {}) == ["placeholder ${Table} is not in DefinitionSubstitutions"]


def test_a_substitution_the_definition_never_uses_is_reported():
    assert asl_problems(_clean(), {"Table": {"Ref": "T"}, "Stale": {"Ref": "S"}}) == [
        "DefinitionSubstitutions 'Stale' is never used"
    ]


def test_defects_inside_a_parallel_branch_are_reported():
    definition = _parallel({"B1": _task(Next="Gone"), "B2": {"Type": "Succeed"}})
    problems = asl_problems(definition)
    assert "/Fan/Branches[0]/B1: Next 'Gone' is not a state" in problems
    assert "/Fan/Branches[0]/B2: unreachable from StartAt" in problems


def test_defects_inside_a_map_item_processor_are_reported():
    definition = _with({
        "Mark": _task(Next="Each"),
        "Each": {"Type": "Map", "ItemsPath": "$.items", "Next": "Done",
                 "ItemProcessor": {"StartAt": "Item", "States": {
                     "Item": _task(End=True, Retry=[{"ErrorEquals": ["States.ALL"]}])}}},
    })
    assert "/Each/ItemProcessor/Item: Retry[0] retries States.ALL" in asl_problems(definition)


def test_a_clean_parallel_branch_adds_its_path_to_the_cost():
    definition = _parallel({"B1": _task(Next="B2"), "B2": {"Type": "Succeed"}})
    assert asl_problems(definition) == []
    assert longest_path(definition) == 4 + 1 + 2  # Due, Wait, Mark, Fan(+B1, B2), Done


def test_cost_counts_catch_edges_except_those_into_fail_states():
    definition = _with({"Mark": _task(Next="Done", Catch=[{"ErrorEquals": ["X"], "Next": "Cleanup"}]),
                        "Cleanup": _task(Next="Done")})
    assert longest_path(definition) == 5  # Due → Wait → Mark → Cleanup → Done


def test_cost_of_a_looping_definition_is_refused():
    definition = _with({"Mark": _task(Next="Due")})
    with pytest.raises(ValueError, match="cycle"):
        longest_path(definition)


# -------------------------------------------------------------------- template ↔ pynamodb models


def _env_resources() -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in template()["Resources"].items() if "vssid:env" in res.get("Metadata", {})}


def _models() -> list[type]:
    import importlib

    from pynamodb.models import Model

    found: list[type] = []
    for module_name in MODEL_MODULES:
        module = importlib.import_module(f"chalicelib.models.{module_name}")
        found.extend(
            obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Model) and obj is not Model
            and obj.__module__ == module.__name__
        )
    return found


def _table_for(model: type) -> tuple[str, dict[str, Any]] | None:
    """The template table this model reads: its Meta.table_name is the local name (or the deployed
    name the environment gives, when a test run has one set)."""
    for lid, res in resources_of_type("AWS::DynamoDB::Table").items():
        meta = res["Metadata"]
        if model.Meta.table_name in (meta["vssid:local-name"], os.environ.get(meta["vssid:env"])):
            return lid, res
    return None


def _key_schema(key_schema: list[dict[str, str]], types: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """KeyType → (attribute name, attribute type)."""
    return {k["KeyType"]: (k["AttributeName"], types.get(k["AttributeName"], "?")) for k in key_schema}


def _table_ids() -> list[str]:
    return sorted(resources_of_type("AWS::DynamoDB::Table"))


TABLES_WITHOUT_MODEL = {"IdempotencyTable": "Powertools Idempotency owns its table"}
EXPIRING_TABLES = frozenset({
    "StaffSessionsTable", "IdempotencyTable", "CaptchasTable", "CitizenSessionsTable", "OtpChallengesTable",
    "SmsCountersTable",
})


def test_every_model_reads_a_table_of_the_template():
    orphans = [model.__name__ for model in _models() if _table_for(model) is None]
    assert orphans == []


@pytest.mark.parametrize("logical_id", [lid for lid in _table_ids() if lid not in TABLES_WITHOUT_MODEL])
def test_template_table_matches_its_model(logical_id):
    res = template()["Resources"][logical_id]
    props = res["Properties"]
    # Several models may share a table (items told apart by their key prefixes); each must agree with it.
    matches = [m for m in _models() if (_table_for(m) or ("",))[0] == logical_id]
    assert matches, f"{logical_id}: no model"
    template_types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}

    def indexes(gsis: list[dict[str, Any]], name: str, keys: str, projection: str,
                types: Mapping[str, str]) -> dict[str, Any]:
        return {g[name]: (_key_schema(g[keys], types), g[projection]["ProjectionType"]) for g in gsis}

    template_gsis = indexes(props.get("GlobalSecondaryIndexes", []), "IndexName", "KeySchema", "Projection",
                            template_types)
    for model in matches:
        schema = model._get_schema()
        model_types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
        assert _key_schema(schema["key_schema"], model_types) == _key_schema(props["KeySchema"], template_types), \
            model.__name__
        model_gsis = indexes(schema["global_secondary_indexes"], "index_name", "key_schema", "projection",
                             model_types)
        assert model_gsis == template_gsis, model.__name__
        assert schema["local_secondary_indexes"] == [] and "LocalSecondaryIndexes" not in props

    # CloudFormation refuses an attribute definition no key uses; every key attribute needs one.
    key_names = {k["AttributeName"] for k in props["KeySchema"]} | {
        k["AttributeName"] for g in props.get("GlobalSecondaryIndexes", []) for k in g["KeySchema"]
    }
    assert set(template_types) == key_names


def test_idempotency_table_has_the_keys_powertools_uses():
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    props = template()["Resources"]["IdempotencyTable"]["Properties"]
    defaults = inspect.signature(DynamoDBPersistenceLayer.__init__).parameters
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert "SortKeyAttr" not in props and "GlobalSecondaryIndexes" not in props
    # The code builds the layer with Powertools' defaults, which are the names above.
    assert (defaults["key_attr"].default, defaults["expiry_attr"].default) == ("id", "expiration")
    calls = [node for node in ast.walk(ast.parse((ROOT / "chalicelib" / "idempotency.py").read_text("utf-8")))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DynamoDBPersistenceLayer"]
    assert calls and all({"key_attr", "expiry_attr", "sort_key_attr"}.isdisjoint(k.arg for k in c.keywords)
                         for c in calls)


@pytest.mark.parametrize("logical_id", _table_ids())
def test_every_table_is_on_demand_recoverable_and_encrypted(logical_id):
    props = template()["Resources"][logical_id]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True


@pytest.mark.parametrize("logical_id", sorted(EXPIRING_TABLES))
def test_tables_of_expiring_items_have_ttl_on(logical_id):
    ttl = template()["Resources"][logical_id]["Properties"].get("TimeToLiveSpecification")
    assert ttl is not None and ttl["Enabled"] is True and ttl["AttributeName"]


def test_ttl_attribute_of_each_model_matches_its_table():
    from pynamodb.attributes import NumberAttribute, TTLAttribute

    checked = set()
    for model in _models():
        found = _table_for(model)
        assert found is not None, model.__name__
        lid, res = found
        ttl = res["Properties"].get("TimeToLiveSpecification")
        declared = model._ttl_attribute()
        if declared is not None:  # a TTLAttribute on the model means the table must expire it
            assert ttl and ttl["Enabled"] and ttl["AttributeName"] == declared.attr_name, model.__name__
        if ttl is None:
            continue
        attribute = model.get_attributes().get(ttl["AttributeName"])
        assert isinstance(attribute, NumberAttribute | TTLAttribute), (
            f"{model.__name__} has no number attribute {ttl['AttributeName']!r} for the TTL of {lid}"
        )
        checked.add(lid)
    assert checked == EXPIRING_TABLES - set(TABLES_WITHOUT_MODEL)


# ----------------------------------------------------------------- environment variables and names


def test_env_vars_and_local_names_are_unique():
    metas = [res["Metadata"] for res in _env_resources().values()]
    envs = [m["vssid:env"] for m in metas]
    names = [m["vssid:local-name"] for m in metas]
    assert sorted({e for e in envs if envs.count(e) > 1}) == []
    assert sorted({n for n in names if names.count(n) > 1}) == []


def _table_name_calls() -> dict[str, tuple[str, str]]:
    """`table_name("ENV", "local")` in the code, read from the source text: env var → (local, where).
    Reading the source keeps the answer independent of any env var a test run has set."""
    calls: dict[str, tuple[str, str]] = {}
    for path in sorted((ROOT / "chalicelib").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "table_name":
                env, local = (ast.literal_eval(arg) for arg in node.args)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert env not in calls or calls[env][0] == local, f"{env}: two defaults, {calls[env]} and {where}"
                calls[env] = (local, where)
    return calls


def test_table_name_defaults_in_the_code_are_the_template_local_names():
    template_tables = {res["Metadata"]["vssid:env"]: res["Metadata"]["vssid:local-name"]
                       for res in resources_of_type("AWS::DynamoDB::Table").values()}
    code = {env: local for env, (local, _) in _table_name_calls().items()}
    assert code == template_tables


def _meta_table_name_call(model: type) -> tuple[str, str]:
    """The (env var, local name) a model's Meta passes to table_name(), read from its source text."""
    (call,) = [node for node in ast.walk(ast.parse(inspect.getsource(model.Meta).strip()))
               if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "table_name"]
    env, local = (ast.literal_eval(arg) for arg in call.args)
    return env, local


def test_each_model_defaults_to_its_template_local_name(monkeypatch):
    from chalicelib.models.base import table_name

    template_tables = {res["Metadata"]["vssid:env"]: res["Metadata"]["vssid:local-name"]
                       for res in resources_of_type("AWS::DynamoDB::Table").values()}
    for model in _models():
        env, local = _meta_table_name_call(model)
        assert template_tables.get(env) == local, model.__name__
        # The name the model was built with follows the same rule (env var if set, else local name).
        assert model.Meta.table_name == os.environ.get(env, local), model.__name__
        monkeypatch.delenv(env, raising=False)
        assert table_name(env, local) == local


# ------------------------------------------------------------------------------- bucket and queues


def documents_bucket() -> tuple[str, dict[str, Any]]:
    (item,) = [(lid, res) for lid, res in resources_of_type("AWS::S3::Bucket").items()
               if res.get("Metadata", {}).get("vssid:env") == "DOCUMENTS_BUCKET"]
    return item


def test_documents_bucket_blocks_public_access_and_is_encrypted_with_the_customer_key():
    _, bucket = documents_bucket()
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
    }
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    default = rule["ServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms"
    key_id, attribute = default["KMSMasterKeyID"]["Fn::GetAtt"]
    key = template()["Resources"][key_id]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"  # deleting the key would make every stored image unreadable


def _bucket_policy_statements() -> list[dict[str, Any]]:
    bucket_id, _ = documents_bucket()
    (policy,) = [p for p in resources_of_type("AWS::S3::BucketPolicy").values()
                 if p["Properties"]["Bucket"] == {"Ref": bucket_id}]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def test_bucket_policy_denies_plain_http():
    denials = [s for s in _bucket_policy_statements() if s["Effect"] == "Deny"
               and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
    assert denials and denials[0]["Action"] == "s3:*" and denials[0]["Principal"] == "*"
    assert len(denials[0]["Resource"]) == 2  # the bucket and its objects


def test_bucket_policy_denies_puts_without_the_documents_key():
    statements = _bucket_policy_statements()
    _, bucket = documents_bucket()
    key_ref = bucket["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    puts = [s for s in statements if s["Effect"] == "Deny" and s["Action"] == "s3:PutObject"]
    conditions = [s["Condition"] for s in puts]
    assert {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}} in conditions
    assert {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_ref}} in conditions


def test_lifecycle_deletes_the_drafts_the_code_tags():
    from chalicelib.aws.documents import DRAFT, RETENTION_TAG

    _, bucket = documents_bucket()
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    drafts = [r for r in rules if r.get("TagFilters") == [{"Key": RETENTION_TAG, "Value": DRAFT}]]
    assert drafts and drafts[0]["Status"] == "Enabled" and drafts[0]["ExpirationInDays"] == 30
    assert any("AbortIncompleteMultipartUpload" in r for r in rules)


def test_token_queue_redrives_to_its_dead_letter_queue():
    resources = template()["Resources"]
    token_queue_ref = real_substitutions()["TokenQueueUrl"]["Ref"]  # the queue the workflow parks tokens in
    queue = resources[token_queue_ref]
    assert queue["Type"] == "AWS::SQS::Queue"
    redrive = queue["Properties"]["RedrivePolicy"]
    dlq_id, attribute = redrive["deadLetterTargetArn"]["Fn::GetAtt"]
    assert attribute == "Arn" and dlq_id != token_queue_ref
    assert resources[dlq_id]["Type"] == "AWS::SQS::Queue"
    assert int(redrive["maxReceiveCount"]) >= 1
    # A message must outlive its source queue's retention in the DLQ (default retention is 4 days).
    source_retention = int(queue["Properties"].get("MessageRetentionPeriod", 345600))
    assert int(resources[dlq_id]["Properties"].get("MessageRetentionPeriod", 345600)) >= source_retention


# ------------------------------------------------------------------------------------------ cfn-lint


def _cfn_errors(text: str) -> list[str]:
    api = pytest.importorskip("cfnlint.api")
    matches = api.lint(text, config=api.ManualArgs(regions=["ap-southeast-1"]))
    return [str(m) for m in matches if m.rule.severity == "error"]


def test_cfn_lint_finds_no_errors_in_the_template():
    api = pytest.importorskip("cfnlint.api")
    matches = api.lint_file(TEMPLATE_PATH, config=api.ManualArgs(regions=["ap-southeast-1"]))
    assert [str(m) for m in matches if m.rule.severity == "error"] == []


def test_cfn_lint_finds_no_errors_with_the_definition_inlined():
    """cfn-lint validates ASL only inside DefinitionString, so lint the template as it is packaged."""
    packaged = template()
    lid, _ = state_machine()
    packaged["Resources"][lid]["Properties"]["DefinitionString"] = asl_path().read_text(encoding="utf-8")
    assert _cfn_errors(json.dumps(packaged)) == []


def test_cfn_lint_itself_reports_a_broken_definition():
    packaged = template()
    lid, _ = state_machine()
    packaged["Resources"][lid]["Properties"]["DefinitionString"] = json.dumps(
        {"StartAt": "Gone", "States": {"A": {"Type": "Pass", "End": True}}}
    )
    assert any("E3601" in error for error in _cfn_errors(json.dumps(packaged)))


def test_the_packaging_step_that_inlines_the_definition_exists():
    _, resource = state_machine()
    marker = resource["Properties"]["DefinitionString"]
    script = marker.removeprefix("INLINED_BY_") if marker.startswith("INLINED_BY_") else None
    assert script is not None and (ROOT / script).is_file()
