"""Read uploaded files into text, and clean that text into paragraphs.

`extract_text` is the only entry point for untrusted bytes: every failure on bad
input surfaces as `DocumentError` with a Chinese and an English message.

The cleanup helpers below it are shared by `plan_parser` and `reply_parser`:
text converted from PDF breaks sentences at line and page ends, sprinkles ASCII
spaces between Chinese characters and mixes half-width punctuation in.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import PurePath
from typing import Callable, Iterator

import docx
import openpyxl
import pypdf
from docx.table import Table

from tracker.common.plain_text import clean_text
from tracker.imports.tables import header_columns

CELL_BREAK = "\u2028"  # a line break inside a table cell (tracker/imports/tables.py reads it)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_DOCX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_DOCX_COMPRESSION_RATIO = 100
MAX_DOCX_ENTRIES = 5000
# A ratio test on a few kilobytes says nothing about bombs and could reject odd but valid files.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_CONTROL_CHAR_SHARE = 0.01

MAX_TABLE_ROWS = 10_000  # a task breakdown table has hundreds of rows; more is not a plan
SUPPORTED_EXTENSIONS = (".txt", ".docx", ".xlsx", ".pdf")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: old .doc/.xls, or an encrypted .docx/.xlsx


class DocumentError(Exception):
    """An uploaded file that cannot be turned into text, explained for the user."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en

    def __str__(self) -> str:
        return self.message_zh


# --------------------------------------------------------------------------- extraction


def extract_text(filename: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return the text of an uploaded .txt, .docx or .pdf file.

    Raises DocumentError for anything that is not a readable document of that type.
    """
    data = bytes(data)
    if not data:
        raise DocumentError("文件为空。", "The file is empty.")
    if len(data) > max_bytes:
        raise DocumentError(
            f"文件过大（{_megabytes(len(data))}），上限为 {_megabytes(max_bytes)}。",
            f"The file is too large ({_megabytes(len(data))}); the limit is {_megabytes(max_bytes)}.",
        )
    extension = PurePath(filename or "").suffix.lower()
    reader = _READERS.get(extension)
    if reader is None:
        raise _unsupported(extension)
    text = _normalise_extracted(reader(data))
    if not text.strip():
        raise DocumentError("文档中没有可识别的文字。", "The document contains no readable text.")
    return text


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _unsupported(extension: str) -> DocumentError:
    if extension in (".xls", ".et", ".csv"):
        return DocumentError(
            "不支持 .xls/.et/.csv 表格，请在 Excel 或 WPS 中另存为 .xlsx 后再上传。",
            "Spreadsheets in .xls/.et/.csv are not supported; save as .xlsx and upload again.",
        )
    if extension in (".doc", ".wps"):
        return DocumentError(
            "不支持旧版 Word（.doc/.wps）文件，请另存为 .docx 后再上传。",
            "Legacy Word files (.doc/.wps) are not supported; save as .docx and upload again.",
        )
    shown = extension or "（无扩展名）"
    return DocumentError(
        f"不支持的文件类型 {shown}，请上传 .txt、.docx、.xlsx 或 .pdf 文件。",
        f"Unsupported file type {extension or '(no extension)'}; upload a .txt, .docx, .xlsx or .pdf file.",
    )


def _normalise_extracted(text: str) -> str:
    """Line breaks as LF, no BOM, and the app's plain text (``clean_text``: no control characters but tab
    and line breaks, Word's manual line break a line break)."""
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", ""))


# .txt -----------------------------------------------------------------------------------

_UNICODE_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _read_txt(data: bytes) -> str:
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            return _decode_strictly(data[len(bom) :], (encoding,))
    if b"\x00" in data:
        raise _binary_text()
    return _decode_strictly(data, ("utf-8", "gb18030"))


def _decode_strictly(data: bytes, encodings: tuple[str, ...]) -> str:
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise _binary_text()
        return text
    raise _binary_text()


def _looks_binary(text: str) -> bool:
    # GB18030 maps almost any byte string to some text, so judge the decoded result.
    if not text:
        return False
    controls = sum(1 for _ in _BINARY_CONTROLS.finditer(text))
    return controls / len(text) > MAX_CONTROL_CHAR_SHARE


_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _binary_text() -> DocumentError:
    return DocumentError(
        "文本文件无法识别：内容不是 UTF-8 或 GB18030 编码的文字，可能是二进制文件。",
        "The text file cannot be read: it is not UTF-8 or GB18030 text and looks like binary data.",
    )


# .docx ----------------------------------------------------------------------------------


def _read_docx(data: bytes) -> str:
    _check_container(data, "word/document.xml", _invalid_docx, "Word 文档", "Word document")
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_docx_blocks(document))
    except DocumentError:
        raise
    except Exception as error:  # python-docx and lxml raise many unrelated types on malformed parts
        raise _invalid_docx() from error


def _check_container(data: bytes, required: str, invalid: Callable[[], DocumentError], kind_zh: str,
                     kind_en: str) -> None:
    """An Office file is a zip archive: refuse encrypted files, other formats, zip bombs and huge tables
    before any parser unpacks it."""
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise DocumentError(
                f"{kind_zh}已加密（设有打开密码），请取消密码后另存再上传。",
                f"The {kind_en} is encrypted (password protected); remove the password, save it again and upload.",
            )
        raise DocumentError(
            f"这是旧版 Office 格式的文件，不是有效的{kind_zh}，请另存为新格式（.docx/.xlsx）后再上传。",
            f"This is a legacy Office file, not a valid {kind_en}; save it in the new format (.docx/.xlsx).",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if required not in names:
                raise invalid()
            _check_bomb(entries, kind_zh, kind_en)
            rows = _count_table_rows(archive, entries)
    except DocumentError:
        raise
    except Exception as error:  # zipfile signals broken archives with several exception types
        raise invalid() from error
    if rows > MAX_TABLE_ROWS:
        raise DocumentError(
            f"{kind_zh}的表格共超过 {MAX_TABLE_ROWS:,} 行，不像任务分解表，请拆分或删去无关的行后再上传。",
            f"The {kind_en} holds tables of more than {MAX_TABLE_ROWS:,} rows, which is not a task breakdown; "
            "split it or remove unrelated rows.",
        )


def _check_bomb(entries: list[zipfile.ZipInfo], kind_zh: str, kind_en: str) -> None:
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    too_many = len(entries) > MAX_DOCX_ENTRIES
    too_big = unpacked > MAX_DOCX_UNPACKED_BYTES
    too_dense = unpacked >= RATIO_CHECK_FROM_BYTES and unpacked > MAX_DOCX_COMPRESSION_RATIO * max(packed, 1)
    if too_many or too_big or too_dense:
        raise DocumentError(
            f"{kind_zh}解压后异常庞大（疑似压缩炸弹），已拒绝处理。",
            f"The {kind_en} expands to an abnormal size (possible zip bomb) and was rejected.",
        )


_ROW_TAGS = (b"<row ", b"<row>", b"<w:tr ", b"<w:tr>")


def _count_table_rows(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> int:
    """Rows of every sheet or Word table, counted in the XML as it streams (sizes are already bounded)."""
    rows = 0
    for entry in entries:
        if not (entry.filename.startswith("xl/worksheets/") or entry.filename == "word/document.xml"):
            continue
        with archive.open(entry) as stream:
            tail = b""
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                rows += sum(block.count(tag) for tag in _ROW_TAGS)
                tail = block[-8:]
                rows -= sum(tail.count(tag) for tag in _ROW_TAGS)
            rows += sum(tail.count(tag) for tag in _ROW_TAGS)
        if rows > MAX_TABLE_ROWS:
            return rows
    return rows


def _invalid_docx() -> DocumentError:
    return DocumentError(
        "不是有效的 Word（.docx）文档，文件可能已损坏或扩展名有误。",
        "This is not a valid Word (.docx) document; it may be damaged or misnamed.",
    )


def _docx_blocks(container: object) -> Iterator[str]:
    """Yield paragraphs and table rows in reading order; a row's cells are joined by tabs."""
    for block in container.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            yield from _docx_table_rows(block)
        else:
            yield block.text


def _docx_table_rows(table: object) -> Iterator[str]:
    """A row as tab-separated cells, one per grid column: a cell merged across columns is written once and
    followed by empty cells, a cell merged down repeats its text; paragraphs inside a cell are joined by U+2028."""
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        previous: object = None
        for cell in row.cells:
            if cell._tc is previous:
                cells.append("")
                continue
            previous = cell._tc
            lines = [text.replace("\t", " ").strip() for text in _docx_blocks(cell) if text.strip()]
            cells.append(CELL_BREAK.join(lines))
        while cells and not cells[-1] and len(cells) > 1 and all(not c for c in cells[1:]):
            break
        if any(cell.strip() for cell in cells):
            yield "\t".join(cells)


# .xlsx ----------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> str:
    _check_container(data, "xl/workbook.xml", _invalid_xlsx, "Excel 表格", "Excel workbook")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types on malformed parts
        raise _invalid_xlsx() from error
    try:
        lines: list[str] = []
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                continue
            rows = _sheet_rows(sheet)
            if is_instruction_sheet(sheet.title):
                rows = _title_of_instructions(rows)
            if rows:
                lines.append(f"【工作表：{sheet.title}】")
                lines += rows
        return "\n".join(lines)
    finally:
        workbook.close()


# Sheets that tell people how to fill a workbook in (the template's own 填表说明), never content: their
# "5. 报送要求可写“每季度最后一个月的30日前”" was read as the plan's reporting rule.
_INSTRUCTION_SHEET = re.compile(r"^(?:填表|填报|填写|使用|模板|编制|导入)?(?:说明|须知|注意事项|指引)$")


def is_instruction_sheet(title: str) -> bool:
    """A sheet named 填表说明, 填报说明, 使用说明, 填表须知, 注意事项, 说明 … (spaces and brackets ignored)."""
    return bool(_INSTRUCTION_SHEET.match(re.sub(r"[\s\u3000（）()【】\[\]]", "", title or "")))


def _title_of_instructions(rows: list[str]) -> list[str]:
    """What an instruction sheet gives the import: at most its first line, when that is a title (a workbook
    may put the plan's title above its notes) rather than a heading such as 填表说明 or a numbered note."""
    first = rows[0].strip() if rows else ""
    if not first or "\t" in first or is_instruction_sheet(first) or re.match(r"^[\d一二三四五六七八九十（(]", first):
        return []
    return [first]


def _sheet_rows(sheet) -> list[str]:
    """A sheet as text: a row with one value is a line of prose, other rows are tab-separated cells with every
    column present; a cell merged down repeats its value (an action group written once for its rows)."""
    grid = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        top = merged.min_row - 1
        value = grid[top][merged.min_col - 1] if top < len(grid) and merged.min_col - 1 < len(grid[top]) else ""
        for row in range(merged.min_row, min(merged.max_row, len(grid)) ):
            if merged.min_col - 1 < len(grid[row]):
                grid[row][merged.min_col - 1] = value
    width = max((len(row) for row in grid), default=0)
    while width and all(len(row) < width or not row[width - 1] for row in grid):
        width -= 1
    lines = []
    in_table = False
    for row in grid:
        cells = (row + [""] * width)[:width]
        filled = [cell for cell in cells if cell]
        if not filled:
            continue
        # A table starts at its header (known words) or at its first row of several cells: after that a row with
        # one filled cell (a group row, a task with empty unit cells) is a row of the table, not prose.
        in_table = in_table or header_columns(cells) is not None or len(filled) > 1
        lines.append("\t".join(cells) if in_table or len(filled) > 1 else filled[0])
    return lines


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return CELL_BREAK.join(line.strip() for line in text.split("\n") if line.strip())


def _invalid_xlsx() -> DocumentError:
    return DocumentError(
        "不是有效的 Excel（.xlsx）表格，文件可能已损坏或扩展名有误。",
        "This is not a valid Excel (.xlsx) workbook; it may be damaged or misnamed.",
    )


# .pdf -----------------------------------------------------------------------------------


def _read_pdf(data: bytes) -> str:
    if b"%PDF-" not in data[:1024]:
        raise _invalid_pdf()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(
                "PDF 文件已加密，请先解除密码保护。",
                "The PDF is encrypted; remove the password protection first.",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except Exception as error:  # pypdf raises a wide range of types on damaged files
        raise _invalid_pdf() from error
    text = "\n\n".join(pages)
    if not text.strip():
        raise DocumentError(
            "PDF 中没有可提取的文字（可能是扫描件），请上传文字版 PDF 或 Word 文档。",
            "The PDF has no extractable text (probably a scan); upload a text PDF or a Word document.",
        )
    return text


def _invalid_pdf() -> DocumentError:
    return DocumentError(
        "PDF 文件无法解析，文件可能已损坏。",
        "The PDF cannot be parsed; the file may be damaged.",
    )


_READERS: dict[str, Callable[[bytes], str]] = {
    ".txt": _read_txt,
    ".docx": _read_docx,
    ".xlsx": _read_xlsx,
    ".pdf": _read_pdf,
}


# --------------------------------------------------------------------------- text cleanup

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
CN_DIGITS = "〇零一二三四五六七八九十百两○"

PART_HEADING = re.compile(r"^([一二三四五六七八九十]{1,3})\s*、\s*")
GROUP_HEADING = re.compile(r"^[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*")
ITEM_NUMBER = re.compile(
    r"^(?:(?P<dotted>\d{1,2}(?:[.．]\d{1,3})+)(?:[.．、]|\s+)"
    r"|(?P<decimal>\d{1,3})\s*[.．、](?!\d)"
    r"|[（(]\s*(?P<paren>\d{1,3})\s*[）)]"
    r"|(?P<circled>[①-⑳]))\s*"
)
ENUMERATION = re.compile(r"^[一二三四五六七八九十]{1,3}是")
LABEL_LINE = re.compile(
    r"^(?:牵头单位|责任单位|配合单位|协同单位|参与单位|协办单位|主办单位|完成时限|完成时间|时间节点|时间进度"
    r"|抄送|抄报|主送|分送|附件|联系人(?:姓名)?|联系电话|联系地址|邮政编码|办理结果|公开属性)\s*[：:]"
)
DATE = re.compile(
    rf"(\d{{4}}|[{CN_DIGITS}]{{4}})\s*年\s*(\d{{1,2}}|[{CN_DIGITS}]{{1,3}})\s*月"
    rf"\s*(\d{{1,2}}|[{CN_DIGITS}]{{1,3}})\s*日"
)
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12}?)\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*(\d{1,5})\s*号")

_SENTENCE_END = "。！？!?；;：:"
_CLAUSE_PUNCT = re.compile(r"[，,、；;：:。]")
_LIST_MARKER = re.compile(r"^[-–•·*]\s+(?=\S)")
_FULL_WIDTH_ALNUM = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()}
_FULL_WIDTH_ALNUM[0xFF05] = ord("%")
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_PAREN_PAIR = re.compile(r"\(([^()\n]{0,200})\)")
_ASCII_PUNCT = re.compile(r" *([,;:!?]) *")
_WIDE_PUNCT = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_STRAY_SPACE = re.compile(
    rf"(?<=[{CJK}{CJK_PUNCT}]) +(?=[{CJK}{CJK_PUNCT}\d%])|(?<=[{CJK}{CJK_PUNCT}\d%]) +(?=[{CJK}{CJK_PUNCT}])"
)
_WIDE_CHAR = re.compile(f"[{CJK}{CJK_PUNCT}]")


def clean_paragraphs(text: str) -> list[str]:
    """Split extracted text into tidy paragraphs, re-joining sentences broken by line or page ends."""
    paragraphs: list[list[str]] = []
    for line in _raw_lines(text):
        if paragraphs and _continues(paragraphs[-1][-1], line):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return [tidy for tidy in (tidy_text(_glue(parts)) for parts in paragraphs) if tidy]


def tidy_lines(text: str) -> list[str]:
    """The text's lines, each tidied, never joined (a form's label lines and a title above them stay apart)."""
    return [tidy for tidy in (tidy_text(line) for line in _raw_lines(text)) if tidy]


def _raw_lines(text: str) -> Iterator[str]:
    text = _ZERO_WIDTH.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    for line in text.split("\n"):
        line = _LIST_MARKER.sub("", _ODD_SPACES.sub(" ", line).replace("**", "").strip()).strip()
        if line:
            yield line


def _glue(parts: list[str]) -> str:
    glued = parts[0]
    pieces = [glued]
    for part in parts[1:]:
        latin_seam = pieces[-1][-1:].isascii() and pieces[-1][-1:].isalnum() and part[:1].isascii() and part[:1].isalnum()
        pieces.append((" " if latin_seam else "") + part)
    return "".join(pieces)


def _continues(previous: str, following: str) -> bool:
    """Whether `following` is the rest of a sentence that `previous` left unfinished."""
    if "\t" in previous or "\t" in following:
        return False
    last = previous[-1]
    if last in _SENTENCE_END or (last in "”」』)）" and previous[-2:-1] in _SENTENCE_END):
        return False
    if is_standalone_line(previous) or starts_block(following):
        return False
    # Headings and titles carry no clause punctuation; broken prose nearly always does.
    return bool(_CLAUSE_PUNCT.search(previous))


def is_standalone_line(paragraph: str) -> bool:
    """Headings, labels, dates and document numbers never continue onto the next line."""
    if (PART_HEADING.match(paragraph) or GROUP_HEADING.match(paragraph)) and "。" not in paragraph:
        return True
    # A numbered line with commas but no full stop is an item cut by a page end, not a heading.
    if starts_block(paragraph) and not _CLAUSE_PUNCT.search(paragraph):
        return True
    return bool(LABEL_LINE.match(paragraph)) or is_date_line(paragraph) or is_doc_number_line(paragraph)


def starts_block(paragraph: str) -> bool:
    """Whether a paragraph opens with a heading, list number, label, date or document number."""
    head = paragraph.lstrip()
    return bool(
        PART_HEADING.match(head)
        or GROUP_HEADING.match(head)
        or ITEM_NUMBER.match(head)
        or ENUMERATION.match(head)
        or LABEL_LINE.match(head)
        or DATE.match(head)
        or is_doc_number_line(head)
    )


def tidy_text(text: str) -> str:
    """Normalise spacing and punctuation of one paragraph of Chinese text."""
    text = _ZERO_WIDTH.sub("", _ODD_SPACES.sub(" ", text)).translate(_FULL_WIDTH_ALNUM)
    text = re.sub(r"[ ]{2,}", " ", text.replace("**", ""))
    text = _PAREN_PAIR.sub(_widen_parens, text)
    text = _ASCII_PUNCT.sub(_widen_punct, text)
    text = _widen_quotes(text)
    text = _STRAY_SPACE.sub("", text)
    return re.sub(r" *\t *", "\t", text).strip()


def _neighbour(text: str, index: int, step: int) -> str:
    while 0 <= index < len(text) and text[index] == " ":
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _is_wide(char: str) -> bool:
    return bool(char) and bool(_WIDE_CHAR.match(char))


def _widen_parens(match: re.Match[str]) -> str:
    inner = match.group(1)
    before = _neighbour(match.string, match.start() - 1, -1)
    after = _neighbour(match.string, match.end(), 1)
    if _WIDE_CHAR.search(inner) or _is_wide(before) or _is_wide(after):
        return f"（{inner.strip()}）"
    return match.group(0)


def _widen_punct(match: re.Match[str]) -> str:
    mark = match.group(1)
    before = _neighbour(match.string, match.start(1) - 1, -1)
    after = _neighbour(match.string, match.end(1), 1)
    if mark in ",:" and before.isdigit() and after.isdigit():
        return match.group(0)
    if _is_wide(before) or _is_wide(after):
        return _WIDE_PUNCT[mark]
    return match.group(0)


def _widen_quotes(text: str) -> str:
    count = text.count('"')
    if count == 0 or count % 2 or not _WIDE_CHAR.search(text):
        return text
    pieces = text.split('"')
    quoted = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        quoted.append(("“" if index % 2 == 0 else "”") + piece)
    return "".join(quoted)


# --------------------------------------------------------------------------- dates, numbers


def chinese_number(text: str) -> int | None:
    """Value of a small number written in digits or Chinese numerals (二十五 → 25)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    values = {char: index for index, char in enumerate("〇一二三四五六七八九")}
    values.update({"零": 0, "○": 0, "两": 2})
    if not text or any(char not in values and char not in "十百" for char in text):
        return None
    if "十" not in text and "百" not in text:
        return int("".join(str(values[char]) for char in text))
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = values[char]
    return total + current


def find_date(text: str) -> date | None:
    """The first valid calendar date written as 2025年10月17日 or 二〇二五年十月十七日."""
    for match in DATE.finditer(text):
        parsed = _date_of(match)
        if parsed:
            return parsed
    return None


def _date_of(match: re.Match[str]) -> date | None:
    year, month, day = (chinese_number(part) for part in match.groups())
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def is_date_line(paragraph: str) -> bool:
    """A paragraph that is only a date, optionally followed by 印发 (the printing line)."""
    match = DATE.fullmatch(re.sub(r"\s*印发$", "", paragraph.strip()))
    return bool(match and _date_of(match))


def find_doc_number(text: str) -> str | None:
    """A document number (文号) normalised to 〔〕 brackets: 青府发〔2025〕40号."""
    match = DOC_NUMBER.search(text)
    if not match:
        return None
    prefix, year, serial = match.groups()
    return f"{prefix}〔{year}〕{serial}号"


def is_doc_number_line(paragraph: str) -> bool:
    return bool(DOC_NUMBER.fullmatch(paragraph.strip()))
