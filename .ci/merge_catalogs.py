"""Add the messages newly found in the code to each domain's Vietnamese catalog (`make extract`).

Usage: merge_catalogs.py POT_DIR. For each planner/translations/<domain>/vi/LC_MESSAGES/messages.po
with a POT_DIR/<domain>.pot (extracted from that domain's code and templates), the messages new in
the template and translated in no catalog (the app merges them) are appended with an empty
translation, for a person to fill in. Nothing is removed or reordered: `pybabel update` would
comment out the messages the extractor cannot see (WTForms' own errors, labels translated through
a variable, messages one catalog shares with another), so this only counts the messages no source
of the domain mentions, to be checked by hand.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "planner" / "translations"


def translated_anywhere() -> set[object]:
    """The ids every catalog translates (a message may live in another domain's catalog)."""
    ids: set[object] = set()
    for po in TRANSLATIONS.glob("*/vi/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            ids.update(m.id for m in read_po(f) if m.id and m.string and not m.fuzzy)
    return ids


def merge(pot: Path, po: Path, known: set[object]) -> tuple[int, list[str]]:
    """Append the template's untranslated new messages to the catalog; answer (how many were
    added, the catalog's ids its domain's sources do not mention)."""
    with pot.open("rb") as f:
        template = read_po(f)
    with po.open("rb") as f:
        catalog = read_po(f, locale="vi")
    new = Catalog(locale="vi")
    for message in template:
        if message.id and message.id not in catalog and message.id not in known:
            # An empty translation: the translation test names it until someone fills it in.
            new.add(message.id, flags=message.flags)
    if len(new):
        # Appended as text, so the catalog's header, comments and order stay as they are.
        text = io.BytesIO()
        write_po(text, new, width=76, no_location=True, omit_header=True)
        po.write_bytes(po.read_bytes().rstrip() + b"\n\n" + text.getvalue().strip() + b"\n")
    unseen = [str(m.id) for m in catalog if m.id and m.id not in template]
    return len(new), unseen


def main(pot_dir: Path) -> None:
    known = translated_anywhere()
    for pot in sorted(pot_dir.glob("*.pot")):
        po = TRANSLATIONS / pot.stem / "vi" / "LC_MESSAGES" / "messages.po"
        added, unseen = merge(pot, po, known)
        print(f"{pot.stem}: {added} new message(s) to translate in {po}")
        if unseen:
            print(f"  {len(unseen)} not found in this domain's sources (kept; check by hand)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
