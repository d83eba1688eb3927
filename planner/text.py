"""Text is stored in Unicode NFC, whatever brought it: a form, an import, the check-in page, a
command. Vietnamese can be written composed ("ế", one code point) or decomposed ("e" + two
combining marks: macOS file names, Windows code page 1258 CSVs, some phone keyboards); both look
the same but compare, search, sort and print differently. Forms normalise on bind (PlannerForm),
importers as they read, and `normalise_before_flush` catches every other path before a row is
written. Migration 0014 normalised the rows written before.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def nfc(value: Any) -> Any:
    """`value` in NFC when it is a string; anything else unchanged."""
    if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
        return unicodedata.normalize("NFC", value)
    return value


def without_diacritics(text: str) -> str:
    """Vietnamese letters without their marks: "Đặng Thị Ánh" -> "Dang Thi Anh" (đ and Đ have
    no mark to strip, so they are mapped; every other mark is removed after decomposing)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def file_stem(text: str) -> str:
    """A title as part of a file name every system accepts: "Người được tiếp cận" ->
    "nguoi-duoc-tiep-can" (ASCII letters and digits joined by hyphens)."""
    return re.sub(r"[^a-z0-9]+", "-", without_diacritics(text).lower()).strip("-")


def _is_text(column_type: sa.types.TypeEngine) -> bool:
    kind = getattr(column_type, "impl", column_type)
    kind = kind() if isinstance(kind, type) else kind
    return isinstance(kind, sa.String) and not isinstance(kind, sa.Enum)


def normalise_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Every text attribute of every new or changed row in NFC (a before_flush listener)."""
    for record in (*session.new, *session.dirty):
        mapper = sa.inspect(record).mapper
        for attribute in mapper.column_attrs:
            if not any(_is_text(column.type) for column in attribute.columns):
                continue
            value = getattr(record, attribute.key, None)
            normalised = nfc(value)
            if normalised is not value:
                setattr(record, attribute.key, normalised)


def install() -> None:
    """Listen on every ORM session (once, however many apps are created)."""
    if not sa.event.contains(Session, "before_flush", normalise_before_flush):
        sa.event.listen(Session, "before_flush", normalise_before_flush)
