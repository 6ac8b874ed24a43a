"""Evidence files (佐证材料): validated, stored under the instance folder with generated names."""
from __future__ import annotations

import hashlib
import mimetypes
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from tracker.common.errors import ValidationFailed


@dataclass(frozen=True)
class IncomingFile:
    """An uploaded file as plain data, so services never touch the request."""

    filename: str
    data: bytes


def clean_original_name(filename: str) -> str:
    """The name shown to users: no directory parts, no control characters, at most 200 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip().lstrip(".")
    return name[:200] or "file"


def check_file(incoming: IncomingFile, allowed_extensions: tuple[str, ...], max_bytes: int) -> str:
    """Returns the lower-case extension; raises ValidationFailed for a refused file."""
    name = clean_original_name(incoming.filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed_extensions:
        raise ValidationFailed(_("不支持的文件类型“%(name)s”，允许：%(allowed)s。", name=name,
                                 allowed="、".join(allowed_extensions)))
    if not incoming.data:
        raise ValidationFailed(_("文件“%(name)s”为空。", name=name))
    if len(incoming.data) > max_bytes:
        raise ValidationFailed(_("文件“%(name)s”超过大小上限%(mb)d MB。", name=name, mb=max_bytes // (1024 * 1024)))
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
