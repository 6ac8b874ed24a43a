"""Uploads checked by content (issue 22): the type of an evidence file is read from its bytes, not its name.
A renamed .exe uploaded as evil.pdf is refused with a clear message and leaves nothing; real office files
(docx/xlsx zips, Office 97–2003 compound files), PDFs, images and text go through; a 300-character name is
shortened, keeping its extension, instead of being refused as "不支持的文件类型"."""
from __future__ import annotations

import io
import struct
import zlib
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import select

from tests.security.test_attacks import _files, _rows, _task, _update_form
from tracker.common.errors import ValidationFailed
from tracker.config import Config
from tracker.extensions import db
from tracker.updates.evidence import IncomingFile, check_file, clean_original_name
from tracker.updates.models import EvidenceFile

ALLOWED = Config.EVIDENCE_EXTENSIONS
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 482


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("签约合同")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "签约金额"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


@pytest.mark.parametrize("name,data", [
    ("签约合同.pdf", PDF), ("会议纪要.docx", docx_bytes()), ("台账.xlsx", xlsx_bytes()), ("旧版纪要.doc", OLE),
    ("旧版台账.xls", OLE), ("现场照片.png", png_bytes()), ("现场照片.jpg", JPEG), ("现场照片.jpeg", JPEG),
    ("说明.txt", "完成签约2个。\n下一步：验收。".encode()), ("说明-国标.txt", "完成签约2个。".encode("gb18030")),
    ("材料.zip", docx_bytes()),
])
def test_real_files_of_every_allowed_kind_are_accepted(name, data):
    assert check_file(IncomingFile(name, data), ALLOWED, 10 * 1024 * 1024) == name.rsplit(".", 1)[1]


@pytest.mark.parametrize("name,data,kind", [
    ("evil.pdf", EXE, "PDF"), ("合同.pdf", docx_bytes(), "PDF"), ("纪要.docx", PDF, "Word"),
    ("纪要.doc", EXE, "Word"), ("台账.xlsx", EXE, "Excel"), ("照片.jpg", png_bytes(), "JPEG"),
    ("照片.png", b"<svg onload=alert(1)>", "PNG"), ("说明.txt", EXE, "文本"), ("说明.txt", b"\x00\x01binary", "文本"),
])
def test_bytes_that_are_not_what_the_name_says_are_refused(name, data, kind):
    with pytest.raises(ValidationFailed) as refused:
        check_file(IncomingFile(name, data), ALLOWED, 10 * 1024 * 1024)
    assert refused.value.message == f"文件“{name}”的内容不是{kind}文件（文件类型按内容识别，不看扩展名），未上传。"


def test_a_long_name_is_shortened_keeping_its_extension():
    long_name = "关于" + "西岑科创中心建设" * 37 + ".pdf"
    assert len(long_name) > 300
    shortened = clean_original_name(long_name)
    assert len(shortened) == 200 and shortened.endswith("….pdf") and shortened.startswith("关于西岑科创中心建设")
    assert check_file(IncomingFile(long_name, PDF), ALLOWED, 1024 * 1024) == "pdf"


@pytest.fixture
def june(seeded, on_date):
    on_date(date(2026, 6, 30))
    return seeded


def test_a_renamed_exe_is_refused_on_the_form_and_leaves_nothing(june, browser, app):
    unit = browser("jingwei")
    url = f"/tasks/{_task('7').id}/updates/new"
    before, files = _rows(), _files(app)
    response = unit.post(url, {**_update_form(), "evidence": (io.BytesIO(EXE), "evil.pdf")}, token_from=url,
                         content_type="multipart/form-data")
    assert response.status_code == 400
    assert "文件“evil.pdf”的内容不是PDF文件（文件类型按内容识别，不看扩展名），未上传。" in response.text
    assert _rows() == before and _files(app) == files


def test_a_300_character_pdf_name_is_uploaded_under_a_shortened_name(june, browser, app):
    unit = browser("jingwei")
    url = f"/tasks/{_task('7').id}/updates/new"
    long_name = "关于" + "西岑科创中心建设" * 37 + ".pdf"
    response = unit.post(url, {**_update_form(), "evidence": (io.BytesIO(PDF), long_name)}, token_from=url,
                         content_type="multipart/form-data")
    assert response.status_code == 302
    evidence = db.session.scalar(select(EvidenceFile).order_by(EvidenceFile.id.desc()))
    assert evidence.original_name == clean_original_name(long_name) and evidence.content_type == "application/pdf"
    assert (Path(app.config["EVIDENCE_FOLDER"]) / evidence.stored_name).read_bytes() == PDF
    download = unit.get(f"/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == PDF
