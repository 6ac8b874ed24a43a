"""The signed and sealed 答复函 (tracker/proposals/signed_reply.py): the 主办 unit or a coordinator uploads it on
the item's page, the item shows it with who and when, everyone who sees the item downloads it; a newer upload
replaces it and the history keeps both; a 协办 unit, a bad type or a too large file writes nothing."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.proposals.test_flow import assigned_item, unit_user
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.proposals.models import SignedReplyLetter

PDF = "%PDF-1.4\n% 青人社提复〔2026〕1号 signed and sealed\n%%EOF\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _upload(client, proposal_id: int, data: bytes, name: str):
    return client.post(f"/proposals/{proposal_id}/signed-reply", {"signed_reply": (io.BytesIO(data), name)},
                       token_from=f"/proposals/{proposal_id}", content_type="multipart/form-data")


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["EVIDENCE_FOLDER"])
    return sorted(folder.iterdir()) if folder.exists() else []


def _letters() -> int:
    return db.session.scalar(select(func.count()).select_from(SignedReplyLetter))


def test_the_main_unit_uploads_the_signed_letter_and_a_leader_downloads_it(seeded, browser, on_date, app):
    on_date(date(2026, 3, 2))
    pid = assigned_item().id
    main = browser(unit_user("区人社局").login)
    page = main.get(f"/proposals/{pid}").text
    assert "尚未上传盖章答复函" in page and 'id="signed-reply-form"' in page
    assert browser("leader").get(f"/proposals/{pid}/signed-reply").status_code == 404  # nothing yet

    response = _upload(main, pid, PDF, "答复函（盖章）.pdf")
    assert response.status_code == 302 and response.location.endswith(f"/proposals/{pid}#signed-reply")
    page = main.get(f"/proposals/{pid}").text
    assert "已上传盖章答复函“答复函（盖章）.pdf”。" in page  # the flash
    assert "已上传盖章答复函" in page and "答复函（盖章）.pdf" in page
    assert f"{unit_user('区人社局').display_name} 上传于 2026-03-02" in page

    leader = browser("leader")
    assert 'id="signed-reply-form"' not in leader.get(f"/proposals/{pid}").text  # leaders read, never upload
    download = leader.get(f"/proposals/{pid}/signed-reply")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    # A 协办 unit on the item downloads it; a unit not on the item gets 403.
    assert browser(unit_user("区发改委").login).get(f"/proposals/{pid}/signed-reply").data == PDF
    assert browser(unit_user("区商务委").login).get(f"/proposals/{pid}/signed-reply").status_code == 403


def test_a_co_unit_cannot_upload_and_nothing_is_written(seeded, browser, app):
    pid = assigned_item().id
    files_before = _stored_files(app)
    co = browser(unit_user("区发改委").login)
    assert 'id="signed-reply-form"' not in co.get(f"/proposals/{pid}").text
    assert _upload(co, pid, PDF, "答复函.pdf").status_code == 403
    assert _upload(browser(unit_user("区商务委").login), pid, PDF, "答复函.pdf").status_code == 403
    assert _upload(browser("leader"), pid, PDF, "答复函.pdf").status_code == 403
    assert _letters() == 0 and _stored_files(app) == files_before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "proposal.signed_reply_uploaded")) == 0


def test_a_forbidden_type_or_a_too_large_file_gets_a_clear_message_and_writes_nothing(seeded, browser, app):
    pid = assigned_item().id
    files_before = _stored_files(app)
    main = browser(unit_user("区人社局").login)
    for data, name, message in (
            (b"MZ\x90\x00" + b"\x00" * 100, "答复函.exe", "不支持的文件类型“答复函.exe”，允许：pdf、jpg、jpeg、png、docx、ofd。"),
            (b"a,b\n1,2\n", "答复函.xlsx", "不支持的文件类型“答复函.xlsx”"),  # evidence, not a signed letter
            (b"MZ\x90\x00" + b"\x00" * 100, "答复函.pdf", "的内容不是PDF文件"),  # renamed: read from its bytes
            (b"", "答复函.pdf", "文件“答复函.pdf”为空。")):
        response = _upload(main, pid, data, name)
        assert response.status_code == 302
        assert message in main.get(f"/proposals/{pid}").text, name
    app.config["EVIDENCE_MAX_BYTES"] = 1024 * 1024
    try:
        response = _upload(main, pid, PDF + b"0" * (1024 * 1024), "答复函.pdf")
        assert response.status_code == 302
        assert "文件“答复函.pdf”超过大小上限1 MB。" in main.get(f"/proposals/{pid}").text
    finally:
        app.config["EVIDENCE_MAX_BYTES"] = 20 * 1024 * 1024
    response = main.post(f"/proposals/{pid}/signed-reply", {}, token_from=f"/proposals/{pid}",
                         content_type="multipart/form-data")
    assert "请选择盖章后的答复函文件。" in main.get(f"/proposals/{pid}").text
    assert _letters() == 0 and _stored_files(app) == files_before
    assert "尚未上传盖章答复函" in main.get(f"/proposals/{pid}").text


def test_a_coordinators_second_upload_replaces_it_and_the_history_keeps_both(seeded, browser, app):
    pid = assigned_item().id
    files_before = _stored_files(app)
    assert _upload(browser(unit_user("区人社局").login), pid, PDF, "答复函.pdf").status_code == 302
    coordinator = browser("coordinator")
    assert _upload(coordinator, pid, PNG, "答复函扫描件.png").status_code == 302
    page = coordinator.get(f"/proposals/{pid}").text
    assert "答复函扫描件.png" in page
    assert f'href="/proposals/{pid}/signed-reply"' in page
    download = browser("leader").get(f"/proposals/{pid}/signed-reply")
    assert download.data == PNG and download.mimetype == "image/png"
    # The history (操作记录) shows both uploads, in words.
    main_name = unit_user("区人社局").display_name
    assert f"{main_name} 上传了盖章答复函“答复函.pdf”" in page
    assert "上传了盖章答复函“答复函扫描件.png”，替换了“答复函.pdf”" in page
    assert "proposal.signed_reply_uploaded" not in page
    assert _letters() == 2 and len(set(_stored_files(app)) - set(files_before)) == 2


def _api(app, login: str):
    """A client with a bearer token of the user ``login``."""
    from tracker.api.services import create_token
    from tracker.auth.models import User

    _token, secret = create_token(db.session.scalar(select(User).where(User.login == login)), "盖章答复函")
    db.session.commit()
    client = app.test_client()
    return lambda url: client.get(url, headers={"Authorization": f"Bearer {secret}"})


def test_the_api_gives_the_signed_letter_to_those_who_see_the_item(seeded, browser, app):
    pid = assigned_item().id
    leader, outsider = _api(app, "leader"), _api(app, unit_user("区商务委").login)
    assert leader(f"/api/v1/proposals/{pid}").json["signed_reply"] is None
    assert leader(f"/api/v1/proposals/{pid}/signed-reply").status_code == 404
    assert _upload(browser(unit_user("区人社局").login), pid, PDF, "答复函（盖章）.pdf").status_code == 302
    signed = leader(f"/api/v1/proposals/{pid}").json["signed_reply"]
    assert signed["original_name"] == "答复函（盖章）.pdf" and signed["size"] == len(PDF)
    assert signed["uploaded_by"]["display_name"] == unit_user("区人社局").display_name
    download = leader(signed["url"])
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert _api(app, unit_user("区发改委").login)(signed["url"]).data == PDF  # the 协办 on the item
    assert outsider(signed["url"]).status_code == 403
    assert outsider(f"/api/v1/proposals/{pid}").status_code == 403
