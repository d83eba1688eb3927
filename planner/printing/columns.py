"""The attendance sheet's columns: what each holds, how wide it prints, whether an office may
hide it (print settings choose among them; the sheet places them)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class SheetColumn:
    key: str
    label: str
    width_mm: float | None  # None: takes the width left over (the name)
    tick: bool = False
    hideable: bool = True


SHEET_COLUMNS = (
    SheetColumn("number", _l("No."), 7, hideable=False),
    SheetColumn("full_name", _l("Full name"), None, hideable=False),
    SheetColumn("birth_year", _l("Year of birth"), 9),
    SheetColumn("gender", _l("Gender"), 8),
    SheetColumn("ethnicity", _l("Ethnicity"), 11),
    SheetColumn("village", _l("Village"), 15),
    SheetColumn("phone", _l("Phone"), 19),
    SheetColumn("occupation", _l("Occupation"), 13),
    SheetColumn("priority_group", _l("Priority group"), 13),
    # Tick boxes: 6 mm boxes centred in 21 mm columns leave 15 mm of white between boxes.
    SheetColumn("has_hi", _l("Has a health insurance card"), 21, tick=True),
    SheetColumn("wants_vsi", _l("Interested in voluntary SI"), 21, tick=True),
    SheetColumn("wants_hhi", _l("Interested in household HI"), 21, tick=True),
    SheetColumn("registered", _l("Registered on the spot"), 21, tick=True),
    # Notes sit between the boxes and the signature, so a signature never spills into a box;
    # 25 mm, room for a few handwritten words ("hẹn gọi lại thứ 6"): the table runs 6 mm
    # further into each side margin than the band above it (sheet.TABLE_MARGIN). The read-back
    # finds every column where the stored layout puts it (readback.cells).
    SheetColumn("notes", _l("Notes"), 25),
    SheetColumn("signature", _l("Signature or thumbprint"), 30, hideable=False),
)
