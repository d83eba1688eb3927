"""Accuracy and speed of reading signed sheets from phone photos (issue #17).

Renders the app's own attendance sheet (40 rows over 4 pages, 8 of them pre-filled), marks it
with synthetic pens (ticks, crosses, fills, light pencil, stray marks beside boxes, signatures,
thumbprints, handwritten names; see bench/sheet_photos.py), photographs it in simulation under
each condition and reads the photo as the app does (decode -> markers + QR -> straighten ->
cells). Prints per condition: pages found and identified, boxes decided right / left uncertain /
wrong, wrong signature decisions, and milliseconds per photo (decode + locate + read).

Targets: >= 99% of photos found and identified; among boxes decided, >= 99.5% right;
<= 3% of boxes uncertain; <= 0.5% wrong signature decisions; < 1 s per 12 MP photo.

Run: .venv/bin/python bench/omr.py [--photos N] [--seed S] [--only NAME]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from flask_migrate import upgrade

from bench.sheet_photos import Condition, apply_marks, photograph, random_marks, render_pages
from planner import create_app
from planner.extensions import db

CONDITIONS = (
    Condition("careful 12 MP", tilt=8),
    Condition("perspective 20°", tilt=20),
    Condition("four rotations", tilt=10, turns=(0, 1, 2, 3)),
    Condition("bent / folded", tilt=10, bend_mm=3),
    Condition("uneven light + shadow", tilt=10, uneven=0.5, shadow=True),
    Condition("blur", tilt=10, blur=2.0),
    Condition("noise", tilt=10, noise=8),
    Condition("JPEG 35", tilt=10, jpeg=35),
    Condition("stray marks", tilt=10, stray=0.3),
    Condition("3 MP", tilt=10, megapixels=3, jpeg=70),
    Condition(
        "everything at once",
        tilt=20,
        turns=(0, 1, 2, 3),
        bend_mm=2,
        uneven=0.4,
        shadow=True,
        blur=1.2,
        noise=5,
        jpeg=50,
        stray=0.2,
    ),
)


@dataclass
class Score:
    photos: int = 0
    found: int = 0
    right: int = 0
    uncertain: int = 0
    wrong: int = 0
    signature_rows: int = 0
    signature_wrong: int = 0
    signature_uncertain: int = 0
    ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        boxes = self.right + self.uncertain + self.wrong
        decided = self.right + self.wrong
        return (
            f"{name:<24} {self.found:>3}/{self.photos:<3} {pct(self.found, self.photos):>7} "
            f"{pct(self.right, decided):>8} {pct(self.uncertain, boxes):>7} "
            f"{self.wrong:>5} {pct(self.signature_wrong, self.signature_rows):>7} "
            f"{pct(self.signature_uncertain, self.signature_rows):>7} "
            f"{statistics.median(self.ms) if self.ms else 0:>7.0f}"
        )


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=12, help="photos per condition")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--only", default="")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--dump", default="", help="a folder to write photos not read into")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "bench",
                "PLANNER_CACHE_DIR": f"{tmp}/cache",
                "PLANNER_PREPARE_FLYERS": False,
            }
        )
        with app.app_context(), app.test_request_context():
            from planner.demo import load_demo_data
            from planner.printing import sheet
            from planner.rates.services import seed_national_rates
            from planner.readback import cells
            from planner.readback.decoding import decode_image
            from planner.readback.locating import PageGeometry, locate_page
            from planner.readback.reading import sheet_page_finder
            from planner.sessions.models import OutreachSession

            upgrade(directory=app.extensions["migrate"].directory)
            seed_national_rates()
            office = load_demo_data()
            session = db.session.scalars(
                db.select(OutreachSession).where(OutreachSession.office_id == office.id)
            ).first()
            session.expected_attendance = 35
            invited = [
                sheet.SheetPerson(full_name=f"Người được mời {i}", birth_year=1970 + i)
                for i in range(1, 9)
            ]
            version, pdf = sheet.attendance_sheet(session, invited)
            db.session.commit()
            layout = version.layout
            pages = render_pages(pdf)
            readable = [i for i, p in enumerate(layout["pages"]) if p["boxes"]]
            prefilled = set(range(1, len(invited) + 1))
            find = sheet_page_finder(None)

            def geometry_of(code: str) -> PageGeometry:
                return find(code).geometry

            print(
                f"sheet: {len(layout['pages'])} pages, {len(layout['pages'][0]['boxes'])} boxes "
                f"on page 1; {args.photos} photos per condition\n"
            )
            header = (
                f"{'condition':<24} {'found':>7} {'found%':>7} {'right%':>8} {'uncert%':>7} "
                f"{'wrong':>5} {'sigwr%':>7} {'sigunc%':>7} {'ms':>7}"
            )
            print(header)
            print("-" * len(header))
            total = Score()
            for condition in CONDITIONS:
                if args.only and args.only not in condition.name:
                    continue
                rng = np.random.default_rng(args.seed)
                score = Score()
                for index in range(args.photos):
                    number = readable[index % len(readable)]
                    layout_page = layout["pages"][number]
                    plan = random_marks(layout_page, rng, prefilled, condition.stray)
                    marked, truth = apply_marks(pages[number], layout_page, plan, rng)
                    photo = photograph(marked, condition, rng)
                    score.photos += 1
                    started = time.perf_counter()
                    try:
                        image = decode_image(photo)
                        located = locate_page(image, geometry_of)
                        rows = cells.read_rows(located, layout_page, prefilled)
                    except Exception as error:  # a bench counts every failure
                        score.failures.append(f"{index}: {error}")
                        if args.dump:
                            Path(args.dump, f"{condition.name[:4]}-{index}.jpg").write_bytes(photo)
                        continue
                    score.ms.append((time.perf_counter() - started) * 1000)
                    if located.code != layout_page["code"]:
                        score.failures.append(f"{index}: read {located.code}")
                        continue
                    score.found += 1
                    for row in rows:
                        score.signature_rows += 1
                        decision = row.signature.decision
                        if decision == cells.Decision.UNCERTAIN:
                            score.signature_uncertain += 1
                        elif (decision == cells.Decision.YES) != (row.row in truth.signed):
                            score.signature_wrong += 1
                            if args.verbose:
                                print("  signature", index, row.row, row.signature)
                        for column, box in row.boxes.items():
                            expected = truth.boxes[(row.row, column)]
                            if box.mark.decision == cells.Decision.UNCERTAIN:
                                score.uncertain += 1
                                if args.verbose:
                                    print("  uncertain", index, row.row, column, expected, box.mark)
                            elif (box.mark.decision == cells.Decision.YES) == expected:
                                score.right += 1
                            else:
                                score.wrong += 1
                                if args.verbose:
                                    print(
                                        "  WRONG",
                                        index,
                                        row.row,
                                        column,
                                        expected,
                                        box.mark,
                                        plan.get(row.row),
                                    )
                print(score.line(condition.name), flush=True)
                for failure in score.failures[:3]:
                    print(f"    not read: {failure[:110]}")
                for name in ("photos", "found", "right", "uncertain", "wrong"):
                    setattr(total, name, getattr(total, name) + getattr(score, name))
                total.signature_rows += score.signature_rows
                total.signature_wrong += score.signature_wrong
                total.signature_uncertain += score.signature_uncertain
                total.ms += score.ms
            print("-" * len(header))
            print(total.line("all"))
            twelve = [c for c in CONDITIONS if c.megapixels >= 12]
            print(
                f"\ntargets: found >= 99%, right >= 99.5% of decided, uncertain <= 3%, "
                f"signature wrong <= 0.5%, < 1000 ms per 12 MP photo ({len(twelve)} conditions "
                f"are 12 MP)"
            )
            print(f"session date: {date.today()}")


if __name__ == "__main__":
    main()
