"""Issue 23: the OpenAPI document of /api/v1 is generated from the routes and the input schemas the views
validate with, so it cannot drift from what the API accepts.

- every route of the api blueprint, as the running app routes it, is in the document with its methods,
  and nothing else is;
- every input field the validator accepts is in the operation's request body or query parameters with
  its name, type, required flag, enum values and limits, read from the field objects themselves;
- a change planted in an input schema (a limit narrowed, a required field added) changes the served
  document and what the server refuses, together;
- a route without a declaration cannot be documented.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Blueprint, jsonify

from tests.api.test_api import World, assert_error, state
from tracker.api import openapi, views
from tracker.api.inputs import Boolean, Choice, Day, Identifier, IdentifierList, Integer, Text, TextList
from tracker.api.operations import OPERATIONS, documented
from tracker.updates.models import ReviewState, StatusUpdate
from tracker.extensions import db
from sqlalchemy import select

DAY = date(2026, 6, 30)


@pytest.fixture
def world(seeded, on_date, client):
    on_date(DAY)
    return World(client)


def served(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def routed_operations(app) -> dict[tuple[str, str], str]:
    """(documented path, METHOD) → endpoint, for every route of the api blueprint in the running app."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes[(path, method)] = rule.endpoint
    return routes


def expected_schema_facts(spec) -> dict:
    """What the document must say about a field, derived from the validator's field object."""
    facts = {"type": {Text: "string", Day: "string", Choice: "string", Boolean: "boolean", Integer: "integer",
                      Identifier: "integer", IdentifierList: "array", TextList: "array"}[type(spec)]}
    if isinstance(spec, Text):
        facts["maxLength"] = spec.max_length
        if spec.min_length:
            facts["minLength"] = spec.min_length
    if isinstance(spec, Integer):
        facts["minimum"], facts["maximum"] = spec.minimum, spec.maximum
    if isinstance(spec, Choice):
        facts["enum"] = list(spec.values)
    if isinstance(spec, Day):
        facts["format"] = "date"
    if isinstance(spec, (IdentifierList, TextList)):
        facts["maxItems"] = spec.max_items
    if isinstance(spec, TextList):
        facts["items"] = {"type": "string", "maxLength": spec.item.max_length}
    if spec.nullable:
        facts["nullable"] = True
    return facts


def test_every_route_of_the_api_blueprint_is_documented_with_its_methods(app, client):
    document = served(client)
    documented_operations = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = routed_operations(app)
    assert documented_operations == set(routes)
    assert len(routes) >= 30 and ("/proposals/{proposal_id}/assign", "POST") in routes
    steps = {("/proposals/{proposal_id}/contacts", "GET"), ("/proposals/{proposal_id}/contacts", "POST"),
             ("/proposals/{proposal_id}/cosign", "GET"), ("/proposals/{proposal_id}/co-opinion", "POST"),
             ("/proposals/{proposal_id}/cosign-draft", "POST"), ("/proposals/{proposal_id}/cosign", "POST"),
             ("/proposals/{proposal_id}/extensions", "GET"), ("/proposals/{proposal_id}/extensions", "POST"),
             ("/proposals/extensions/{extension_id}/decision", "POST"), ("/proposals/{proposal_id}/promises", "GET"),
             ("/proposals/{proposal_id}/promises", "POST"), ("/proposals/{proposal_id}/promises/derive", "POST"),
             ("/proposals/{proposal_id}/promises/{promise_id}/answer", "POST")}
    assert steps <= set(routes)  # issue 25's handling steps (tests/api/test_proposal_steps_api.py)
    ids = [operation["operationId"] for item in document["paths"].values() for operation in item.values()]
    assert len(ids) == len(set(ids))  # one operation id per operation
    for (path, method), endpoint in routes.items():
        operation = document["paths"][path][method.lower()]
        assert operation["operationId"] == OPERATIONS[endpoint].operation_id
        path_names = re.findall(r"{(\w+)}", path)
        parameters = operation.get("parameters", [])
        assert [p["name"] for p in parameters if p["in"] == "path"] == path_names
        for parameter in parameters:
            if parameter["in"] == "path":
                assert parameter["required"] and parameter["schema"]["type"] == "integer" and parameter["description"]


def test_every_input_field_the_validator_accepts_is_in_the_document(app, client):
    document = served(client)
    checked_fields = 0
    for (path, method), endpoint in routed_operations(app).items():
        operation, declared = document["paths"][path][method.lower()], OPERATIONS[endpoint]
        query = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        assert set(query) == set(declared.query_fields()), (path, method)
        for name, spec in declared.query_fields().items():
            assert query[name]["required"] is False
            assert expected_schema_facts(spec).items() <= query[name]["schema"].items(), (path, name)
            checked_fields += 1
        if declared.body is None:
            assert "requestBody" not in operation, (path, method)
            continue
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert schema["additionalProperties"] is False  # the validator refuses unknown fields
        assert set(schema["properties"]) == set(declared.body), (path, method)
        assert set(schema.get("required", [])) == {name for name, spec in declared.body.items() if spec.required}
        for name, spec in declared.body.items():
            assert expected_schema_facts(spec).items() <= schema["properties"][name].items(), (path, name)
            checked_fields += 1
    assert checked_fields > 80


def test_a_planted_change_to_an_input_schema_changes_the_document_and_the_check(world, monkeypatch):
    """The review body: its comment's limit narrowed to 3 characters and a required field added. Both the
    served document and the server's answer change; the accepted review of before is now refused."""
    client = world.client
    before = served(client)["paths"]["/updates/{update_id}/review"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert before["properties"]["comment"]["maxLength"] == 5000 and before["required"] == ["decision"]

    monkeypatch.setattr(views.REVIEW["comment"], "max_length", 3)
    monkeypatch.setitem(views.REVIEW, "urgency", Choice(("high", "low"), required=True, description="planted"))
    after = served(client)["paths"]["/updates/{update_id}/review"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert after["properties"]["comment"]["maxLength"] == 3
    assert after["properties"]["urgency"]["enum"] == ["high", "low"] and set(after["required"]) == {"decision",
                                                                                                   "urgency"}
    update_id = db.session.scalar(select(StatusUpdate.id).where(StatusUpdate.review_state == ReviewState.submitted)
                                  .order_by(StatusUpdate.id))
    unchanged = state()
    refused = world.call("coordinator", "POST", f"/api/v1/updates/{update_id}/review",
                         json={"decision": "accept", "comment": "同意采纳"})
    error = assert_error(refused, 400, "invalid_request")
    assert set(error["fields"]) == {"comment", "urgency"}
    assert state() == unchanged

    monkeypatch.undo()
    assert served(client)["paths"]["/updates/{update_id}/review"]["post"]["requestBody"]["content"][
        "application/json"]["schema"] == before
    accepted = world.call("coordinator", "POST", f"/api/v1/updates/{update_id}/review",
                          json={"decision": "accept", "comment": "同意采纳"})
    assert accepted.status_code == 200, accepted.get_json()


def test_a_route_without_a_declaration_cannot_be_documented():
    loose = Blueprint("loose_api", __name__, url_prefix="/loose")

    @loose.get("/things/<int:task_id>")
    @documented("loose_api", operation_id="getThing", summary="thing", tag="meta", ok=(200, "Error"))
    def thing(task_id: int):
        return jsonify({})

    @loose.get("/others")
    def others():
        return jsonify({})

    try:
        with pytest.raises(LookupError, match="loose_api.others"):
            openapi.build_document(loose)
        OPERATIONS["loose_api.others"] = OPERATIONS["loose_api.thing"]
        built = openapi.build_document(loose)
        assert set(built["paths"]) == {"/things/{task_id}", "/others"}
        assert built["paths"]["/things/{task_id}"]["get"]["parameters"][0]["schema"]["minimum"] == 1
    finally:
        OPERATIONS.pop("loose_api.thing", None)
        OPERATIONS.pop("loose_api.others", None)
