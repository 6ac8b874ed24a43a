"""Evidence files (佐证材料): validated, stored under the instance folder with generated names."""
from __future__ import annotations

import hashlib
import mimetypes
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.common.errors import ValidationFailed


@dataclass(frozen=True)
class IncomingFile:
    """An uploaded file as plain data, so services never touch the request."""

    filename: str
    data: bytes


MAX_NAME = 200


def clean_original_name(filename: str) -> str:
    """The name shown to users: no directory parts, no control characters, at most 200 characters. A
    longer name is shortened in the middle of its stem (marked "…"), keeping its extension."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip().lstrip(".")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = stem[:MAX_NAME - len(extension) - 2] + "…." + extension
        else:
            name = name[:MAX_NAME - 1] + "…"
    return name or "file"


# What the bytes of a file must be for each allowed extension (its family): the type is read from the
# content (``filetype``, magic numbers), never taken from the name, so an .exe renamed evil.pdf is refused.
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .doc, .xls, .ppt (Office 97–2003)
ZIP_KINDS = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"}
FAMILIES = {
    "pdf": {"pdf"}, "jpg": {"jpg"}, "jpeg": {"jpg"}, "png": {"png"}, "gif": {"gif"}, "bmp": {"bmp"},
    "webp": {"webp"}, "tif": {"tif"}, "tiff": {"tif"},
    "docx": ZIP_KINDS, "xlsx": ZIP_KINDS, "pptx": ZIP_KINDS, "zip": ZIP_KINDS, "ofd": ZIP_KINDS,  # OFD is a zip
    "odt": ZIP_KINDS, "ods": ZIP_KINDS, "odp": ZIP_KINDS, "wps": {"ole"}, "et": {"ole"},
    "doc": {"ole"}, "xls": {"ole"}, "ppt": {"ole"},
    "txt": {"text"}, "csv": {"text"},
}
TYPE_NAMES = {"pdf": "PDF", "jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "doc": "Word", "docx": "Word",
              "xls": "Excel", "xlsx": "Excel", "ppt": "PowerPoint", "pptx": "PowerPoint", "txt": _l("文本"),
              "zip": "ZIP", "ofd": "OFD"}


def content_kind(data: bytes) -> str | None:
    """The type the bytes are: a ``filetype`` extension ("pdf", "docx", "exe" …), "ole" for an Office
    97–2003 file, "text" for UTF-8 or GB18030 text without control characters, None if unknown."""
    if data.startswith(OLE):
        return "ole"
    guessed = filetype.guess(data[:8192] if not data.startswith(b"PK") else data)
    if guessed is not None:
        return guessed.extension
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
            return "text"
    return None


def content_matches(extension: str, data: bytes) -> bool:
    """Whether the bytes are a file of the kind the extension names; an extension without a known
    signature (none configured by default) is not checked."""
    family = FAMILIES.get(extension)
    return family is None or content_kind(data) in family


def check_file(incoming: IncomingFile, allowed_extensions: tuple[str, ...], max_bytes: int) -> str:
    """Returns the lower-case extension; raises ValidationFailed for a refused file: a type not allowed,
    empty, too large, or bytes that are not what the name says."""
    name = clean_original_name(incoming.filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed_extensions:
        raise ValidationFailed(_("不支持的文件类型“%(name)s”，允许：%(allowed)s。", name=name,
                                 allowed="、".join(allowed_extensions)))
    if not incoming.data:
        raise ValidationFailed(_("文件“%(name)s”为空。", name=name))
    if len(incoming.data) > max_bytes:
        raise ValidationFailed(_("文件“%(name)s”超过大小上限%(mb)d MB。", name=name, mb=max_bytes // (1024 * 1024)))
    if not content_matches(extension, incoming.data):
        raise ValidationFailed(_("文件“%(name)s”的内容不是%(type)s文件（文件类型按内容识别，不看扩展名），未上传。",
                                 name=name, type=str(TYPE_NAMES.get(extension, extension.upper()))))
    return extension


class EvidenceStore:
    """Writes files under ``folder``; ``discard`` removes what a failed transaction left behind."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.saved: list[str] = []

    def path_for(self, stored_name: str) -> Path:
        path = (self.folder / stored_name).resolve()
        if path.parent != self.folder.resolve():
            raise ValueError("stored name escapes the evidence folder")
        return path

    def save(self, incoming: IncomingFile, extension: str) -> dict:
        self.folder.mkdir(parents=True, exist_ok=True)
        stored_name = f"{uuid.uuid4().hex}.{extension}"
        path = self.path_for(stored_name)
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(incoming.data)
        os.replace(temporary, path)
        self.saved.append(stored_name)
        return {
            "original_name": clean_original_name(incoming.filename),
            "stored_name": stored_name,
            "content_type": mimetypes.guess_type(f"x.{extension}")[0] or "application/octet-stream",
            "size": len(incoming.data),
            "sha256": hashlib.sha256(incoming.data).hexdigest(),
        }

    def discard(self, stored_names: list[str]) -> None:
        for stored_name in stored_names:
            self.path_for(stored_name).unlink(missing_ok=True)

    def discard_saved(self) -> None:
        """Removes every file this store wrote: the transaction that referenced them did not commit."""
        self.discard(self.saved)
        self.saved = []
