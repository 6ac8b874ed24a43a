"""GET /api/v1/proposals/<id> shows the item's 督办 ladder (tracker/supervision/proposal_ladder.py): the level
reached on the reply deadline in force, by unit, and every step with its document's number and the address to
download it (GET /api/v1/proposals/<id>/documents/<document_id>.docx, the Word file as issued). A unit not on
the item gets 403 for both, as for the detail; a document of another item is 404."""
from __future__ import annotations

import io
from types import SimpleNamespace

import docx
import pytest

from tests.api.test_api import World
from tests.supervision.test_proposal_ladder import DUE, _documents, _item, _late, _scan
from tests.proposals.test_flow import unit_id


@pytest.fixture
def world(seeded, smtp, client):
    return World(client)


def test_the_detail_shows_the_ladder_and_its_documents(world):
    pid = _item()
    for days in (1, 5, 10):
        _scan(_late(days))
    urge, notice = _documents(pid)
    urge, notice = (SimpleNamespace(id=d.id, number=d.number) for d in (urge, notice))  # read past the requests
    unit = unit_id("区人社局")

    body = world.get("coordinator", f"/api/v1/proposals/{pid}").get_json()
    ladder = body["ladder"]
    assert ladder["due_on"] == DUE.isoformat() and ladder["level"] == 3
    assert ladder["units"] == [{"unit": {"id": unit, "name": ladder["units"][0]["unit"]["name"], "short_name": "区人社局"},
                                "level": 3, "level_label": "督办"}]
    steps = [(s["level"], s["unit"]["id"], s["due_on"], s["overdue_days"], s["reached_on"], s["current"],
              s["document"] and s["document"]["number"]) for s in ladder["steps"]]
    assert steps == [(1, unit, "2026-06-02", 1, _late(1).isoformat(), True, None),
                     (2, unit, "2026-06-02", 5, _late(5).isoformat(), True, urge.number),
                     (3, unit, "2026-06-02", 10, _late(10).isoformat(), True, notice.number)]
    document = ladder["steps"][2]["document"]
    assert document["kind"] == "supervision_notice" and document["state"] == "issued"
    assert document["url"] == f"/api/v1/proposals/{pid}/documents/{notice.id}.docx"

    # The unit on the item downloads the Word file as issued; a unit not on it: 403, as the detail.
    response = world.get("rensheju", document["url"])
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert notice.number in text and "已逾期10个工作日" in text
    assert world.get("shangwuwei", f"/api/v1/proposals/{pid}").status_code == 403
    assert world.get("shangwuwei", document["url"]).status_code == 403
    assert world.get("coordinator", f"/api/v1/proposals/{pid}/documents/999999.docx").status_code == 404
    assert world.get("coordinator", "/api/v1/proposals/999999").status_code == 404


def test_a_document_of_another_item_is_not_found_and_a_quiet_item_has_an_empty_ladder(world):
    pid = _item()
    _scan(_late(5))
    (urge,) = _documents(pid)
    urge_id = urge.id
    from tests.bulletins.test_proposal_section import _second_item

    other = _second_item()  # assigned after the scan: not overdue yet as of the scan
    body = world.get("coordinator", f"/api/v1/proposals/{other}").get_json()
    assert body["ladder"] == {"due_on": DUE.isoformat(), "level": 0, "units": [], "steps": []}
    assert world.get("coordinator", f"/api/v1/proposals/{other}/documents/{urge_id}.docx").status_code == 404
    assert world.get("coordinator", f"/api/v1/proposals/{pid}/documents/{urge_id}.docx").status_code == 200
