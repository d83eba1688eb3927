"""Time the results pages on the demo office (sixteen weeks of history); prints medians.

Run: .venv/bin/python bench/results.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from bench.timing import median_ms
from planner import create_app
from planner.demo import DEMO_PASSWORD, load_demo_data
from planner.extensions import db
from planner.rates.services import seed_national_rates

PAGES = [
    "/results/?period=month",
    "/results/?period=quarter",
    "/results/?period=year",
    *[
        f"/results/compare/{d}?period=year"
        for d in (
            "kind",
            "commune",
            "officer",
            "partner",
            "target_group",
            "ethnicity",
            "sex",
            "week",
        )
    ],
    "/results/where-next",
    "/results/targets",
    "/results/coverage",
    "/results/records/reached?period=year",
    "/results/records/sessions_held?period=year",
    "/results/records/follow_ups_due?period=year",
    "/results/records/enrolments?period=year",
    "/results/export/records_enrolments.xlsx?period=year",
    "/results/export/records_enrolments.csv?period=year",
    "/results/export/by_commune.xlsx?period=year",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "PLANNER_PREPARE_FLYERS": False,
                "PLANNER_CACHE_DIR": f"{tmp}/cache",
            }
        )
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            seed_national_rates()
            office = load_demo_data()
            db.session.commit()
            office_id = office.id
        client = app.test_client()
        client.post("/login", data={"username": "hoa", "password": DEMO_PASSWORD})
        for path in PAGES:

            def get(path=path):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)

            print(f"{path:55s} {median_ms(get, 9, warm=True):7.1f} ms")
        from planner.results import exports
        from planner.results.periods import Period, ResultsFilter, month_period
        from planner.timezones import today_local

        with app.app_context(), app.test_request_context():
            from planner.accounts.models import Office

            today = today_local()
            year = ResultsFilter(
                office_id, None, None, Period(today.replace(month=1, day=1), today)
            )
            print(
                f"{'workbook of every table, this year (job body)':55s} "
                f"{median_ms(lambda: exports.tables_xlsx(exports.all_tables(year)), 3):7.1f} ms"
            )
            month = ResultsFilter(office_id, None, None, month_period(today.year, today.month))
            office = db.session.get(Office, office_id)

            def report() -> bytes:
                return exports.report_pdf(exports.monthly_report(office, month))

            print(f"{'monthly report PDF (job body)':55s} {median_ms(report, 3):7.1f} ms")


if __name__ == "__main__":
    main()
