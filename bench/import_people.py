"""Time the import of a 1,000-row attendance sheet (XLSX and CSV); prints medians.

Usage: python bench/import_people.py [--rows 1000] [--runs 5] [--database-url URL]
Each run imports a fresh file of new people into a fresh session (the slow path: every row creates
a person, an attendance and two audit entries), then the same people again into another session
(every row matched to a known person).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from planner import create_app  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.people.importing import import_sheet, template_headers  # noqa: E402
from planner.timezones import today_local  # noqa: E402
from tests import factories  # noqa: E402

FAMILY = ["Lò", "Giàng", "Vàng", "Sùng", "Hoàng", "Nguyễn", "Lý", "Thào", "Đặng", "Triệu"]
MIDDLE = {"Nam": ["Văn", "A", "Seo", "Đức"], "Nữ": ["Thị", "Thị Thu", "Thị Mai"]}
GIVEN = ["Páo", "Dợ", "Sử", "Mỷ", "Chứ", "Pằng", "Hoa", "Lan", "Minh", "Tùng", "Sình", "Dình"]
PRIORITY = ["Hộ nghèo", "Hộ cận nghèo", "Dân tộc thiểu số", "Khác"]
INTEREST = ["BHXH tự nguyện", "BHYT hộ gia đình", "Cả hai", "Không"]


def sheet_rows(count: int, batch: int, villages: list[str]) -> list[list]:
    rng = random.Random(batch)
    rows = []
    for number in range(1, count + 1):
        gender = rng.choice(["Nam", "Nữ"])
        year = rng.randint(1950, 2005)
        marker = (0 if year < 2000 else 2) + (gender == "Nữ")
        cccd = f"010{marker}{year % 100:02d}{batch:02d}{number:04d}" if number % 3 == 0 else ""
        rows.append(
            [
                number,
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN)}",
                year,
                gender,
                "Hmông",
                rng.choice(villages),
                f"09{batch:02d}{number:06d}",
                "Làm ruộng",
                rng.choice(PRIORITY),
                rng.choice(["Có", "Không", ""]),
                rng.choice(INTEREST),
                rng.choice(["Có", "Không"]),
                rng.choice(["Có", "Không"]),
                "",
                cccd,
            ]
        )
    return rows


def as_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(template_headers())
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(template_headers())
    for line in rows:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            office = factories.office()
            # A unique login, so the script can run again on the same (PostgreSQL) database.
            officer = factories.user(office, username=f"bench-{time.time_ns()}")
            places = factories.places(office)
            db.session.commit()
            villages = [places.village.name, places.other_village.display_name]
            print(
                f"import of {args.rows} rows, median of {args.runs} runs ({db.engine.dialect.name})"
            )
            batch = 0
            for kind, encode in (("xlsx", as_xlsx), ("csv", as_csv)):
                new_times, known_times = [], []
                for _run in range(args.runs):
                    batch += 1
                    content = encode(sheet_rows(args.rows, batch, villages))
                    for times in (new_times, known_times):
                        day = today_local() - timedelta(days=1 + len(new_times) + len(known_times))
                        session = factories.session(officer, places.commune, day=day)
                        db.session.commit()
                        started = time.perf_counter()
                        result = import_sheet(session, f"sheet.{kind}", content, officer)
                        db.session.commit()
                        times.append(time.perf_counter() - started)
                        assert result.rows == args.rows
                    assert result.known_people == args.rows
                size = len(content) / 1024
                new, known = statistics.median(new_times), statistics.median(known_times)
                print(
                    f"  {kind.upper():4} ({size:5.0f} KB): new people {new:.2f} s,"
                    f" known people {known:.2f} s"
                )
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
