"""extract_text: every supported format reads, every bad upload fails with DocumentError only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from tracker.imports import documents
from tracker.imports.documents import DocumentError, clean_paragraphs, extract_text, find_date, find_doc_number, tidy_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "documents"
PLAN_TEXT = (SEEDS / "xicen-action-plan-2025-2026.txt").read_text(encoding="utf-8")
SAMPLE = "上海市青浦区人民政府文件\n青府发〔2025〕40号\n一、主要目标\n"



@pytest.fixture(autouse=True)
def _isolated():
    """Overrides the project-wide database fixture: these modules are pure and must run without an app."""
    yield

# --------------------------------------------------------------------------- builders


def docx_bytes(build) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def pdf_bytes(content: bytes | None) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(300, 200)
    if content is not None:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
        page[NameObject("/Resources")] = resources
        stream = DecodedStreamObject()
        stream.set_data(content)
        page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def assert_rejected(filename: str, data: bytes, fragment_en: str, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        extract_text(filename, data, **kwargs)
    error = caught.value
    assert fragment_en in error.message_en
    assert error.message_zh and str(error) == error.message_zh
    return error


# --------------------------------------------------------------------------- .txt


def test_txt_utf8_is_returned_as_written():
    assert extract_text("plan.txt", SAMPLE.encode("utf-8")) == SAMPLE


def test_txt_utf8_with_bom_drops_the_bom():
    assert extract_text("plan.TXT", b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")) == SAMPLE


def test_txt_gb18030_is_decoded():
    assert extract_text("plan.txt", SAMPLE.encode("gb18030")) == SAMPLE


def test_txt_utf16_with_bom_is_decoded():
    assert extract_text("plan.txt", b"\xff\xfe" + SAMPLE.encode("utf-16-le")) == SAMPLE


def test_txt_line_endings_are_normalised():
    assert extract_text("a.txt", "第一行\r\n第二行\r第三行".encode()) == "第一行\n第二行\n第三行"


def test_real_plan_reads_unchanged():
    assert extract_text("x.txt", PLAN_TEXT.encode("utf-8")) == PLAN_TEXT


def test_empty_file_is_rejected():
    assert_rejected("plan.txt", b"", "empty")


def test_whitespace_only_text_is_rejected():
    assert_rejected("plan.txt", " \n\t\n".encode(), "no readable text")


def test_file_over_the_size_limit_is_rejected():
    error = assert_rejected("plan.txt", b"a" * (50 * 1024 * 1024), "too large")
    assert "10.0 MB" in error.message_zh


def test_size_limit_is_configurable():
    assert_rejected("plan.txt", b"a" * 2048, "too large", max_bytes=1024)
    assert extract_text("plan.txt", b"ab", max_bytes=2) == "ab"


@pytest.mark.parametrize("filename", ["plan.exe", "plan", "plan.txt.zip", ""])
def test_unsupported_extension_is_rejected(filename):
    assert_rejected(filename, b"data", "Unsupported file type")


def test_legacy_word_gets_a_save_as_hint():
    error = assert_rejected("plan.doc", b"\xd0\xcf\x11\xe0", "save as .docx")
    assert ".docx" in error.message_zh


def test_binary_with_nul_bytes_posing_as_txt_is_rejected():
    assert_rejected("plan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary")


def test_binary_without_nul_bytes_posing_as_txt_is_rejected():
    assert_rejected("plan.txt", bytes(range(1, 32)) * 10, "binary")


def test_undecodable_bytes_are_rejected():
    assert_rejected("plan.txt", b"\xff\xfe\xfd\x80" * 4 + b"\x81", "binary")


# --------------------------------------------------------------------------- .docx


def test_docx_paragraphs_and_table_cells_come_in_order():
    def build(document):
        document.add_paragraph("一、重点任务")
        table = document.add_table(rows=2, cols=3)
        for cell, text in zip(table.rows[0].cells, ["序号", "任务", "牵头单位"]):
            cell.text = text
        for cell, text in zip(table.rows[1].cells, ["1", "推进一网通办。", "区政务服务办"]):
            cell.text = text
        document.add_paragraph("三、保障措施")

    text = extract_text("plan.docx", docx_bytes(build))
    assert text == "一、重点任务\n序号\t任务\t牵头单位\n1\t推进一网通办。\t区政务服务办\n三、保障措施"


def test_docx_merged_cells_are_read_once_and_keep_their_columns():
    def build(document):
        table = document.add_table(rows=2, cols=3)
        merged = table.cell(0, 0).merge(table.cell(0, 2))
        merged.text = "（一）提升政务服务效能"
        for cell, text in zip(table.rows[1].cells, ["1", "推进一网通办。", "区政务服务办"]):
            cell.text = text

    assert extract_text("a.docx", docx_bytes(build)).split("\n") == [
        "（一）提升政务服务效能\t\t",
        "1\t推进一网通办。\t区政务服务办",
    ]


def test_random_bytes_named_docx_are_rejected():
    assert_rejected("plan.docx", b"this is not a zip file at all", "not a valid Word")


def test_zip_without_word_document_is_rejected():
    assert_rejected("plan.docx", zip_bytes({"content.xml": b"<x/>"}), "not a valid Word")


def test_zip_with_broken_document_xml_is_rejected():
    data = zip_bytes({"[Content_Types].xml": b"<nonsense", "word/document.xml": b"<w:document"})
    assert_rejected("plan.docx", data, "not a valid Word")


def test_zip_bomb_by_compression_ratio_is_rejected():
    data = zip_bytes({"word/document.xml": b"\0" * (20 * 1024 * 1024)})
    assert len(data) < 100 * 1024
    assert_rejected("plan.docx", data, "zip bomb")


def test_zip_bomb_by_unpacked_size_is_rejected():
    data = zip_bytes({"word/document.xml": b"<w/>", "word/media/big.bin": b"x" * (51 * 1024 * 1024)}, zipfile.ZIP_STORED)
    assert_rejected("plan.docx", data, "zip bomb", max_bytes=100 * 1024 * 1024)


def test_bomb_check_runs_before_python_docx(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("python-docx must not see a zip bomb")

    monkeypatch.setattr(docx, "Document", forbidden)
    assert_rejected("plan.docx", zip_bytes({"word/document.xml": b"\0" * (5 * 1024 * 1024)}), "zip bomb")


# --------------------------------------------------------------------------- .pdf


def test_pdf_text_is_extracted():
    data = pdf_bytes(b"BT /F1 12 Tf 20 100 Td (Action plan 2025-2026) Tj ET")
    assert "Action plan 2025-2026" in extract_text("plan.pdf", data)


def test_pdf_without_text_is_rejected():
    assert_rejected("scan.pdf", pdf_bytes(None), "no extractable text")


def test_garbage_named_pdf_is_rejected():
    assert_rejected("plan.pdf", b"hello, I am not a PDF", "cannot be parsed")


def test_truncated_pdf_is_rejected():
    data = pdf_bytes(b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET")
    assert_rejected("plan.pdf", data[:60], "")


# --------------------------------------------------------------------------- any bytes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    filename=st.sampled_from(["a.txt", "a.docx", "a.pdf", "a.doc", "a"]),
    data=st.one_of(
        st.binary(max_size=2048),
        st.builds(lambda b: b"%PDF-1.4\n" + b, st.binary(max_size=512)),
        st.builds(lambda b: b"PK\x03\x04" + b, st.binary(max_size=512)),
    ),
)
def test_any_bytes_give_text_or_document_error(filename, data):
    try:
        assert isinstance(extract_text(filename, data), str)
    except DocumentError as error:
        assert error.message_zh and error.message_en


# --------------------------------------------------------------------------- cleanup helpers


def test_clean_paragraphs_repairs_pdf_layout_artefacts():
    raw = "1.加强统筹。促进西岑\n\n园与张江联动。\n\n- 2.优化机制。充分依 托示范区\n - 15. 汇聚人才,立\n\n足人才全生命周期。"
    assert clean_paragraphs(raw) == [
        "1.加强统筹。促进西岑园与张江联动。",
        "2.优化机制。充分依托示范区",
        "15. 汇聚人才，立足人才全生命周期。",
    ]


def test_headings_and_labels_are_never_joined():
    raw = "一、持续提升平台载体能级，打造良好生态\n以优化生态为核心\n牵头单位：区科委\n配合单位：区财政局"
    assert clean_paragraphs(raw) == [
        "一、持续提升平台载体能级，打造良好生态",
        "以优化生态为核心",
        "牵头单位：区科委",
        "配合单位：区财政局",
    ]


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("行动方案 (2025-2026 年)", "行动方案（2025-2026年）"),
        ("无线网络 SoC、AI 芯片", "无线网络 SoC、AI 芯片"),
        ("基于5G/6G 网络", "基于5G/6G 网络"),
        ('简称"青西办"', "简称“青西办”"),
        ("抄送: 区委、 区法院。", "抄送：区委、区法院。"),
        ("实缴8,108.11万元", "实缴8,108.11万元"),
        ("沈　雄", "沈雄"),
        ("２０２５年", "2025年"),
        ("**一是资源导航一体化。**计划", "一是资源导航一体化。计划"),
    ],
)
def test_tidy_text(raw, tidy):
    assert tidy_text(raw) == tidy


def test_dates_and_doc_numbers():
    assert str(find_date("二〇二五年十月十七日")) == "2025-10-17"
    assert str(find_date("2025 年 5 月 12 日印发")) == "2025-05-12"
    assert find_date("2025年2月30日") is None
    assert find_doc_number("青府发[2025]40号") == "青府发〔2025〕40号"
    assert find_doc_number("沪科提复〔2025〕53号") == "沪科提复〔2025〕53号"
    assert documents.chinese_number("二十五") == 25
    assert documents.chinese_number("三十") == 30
