"""Results exports (issue 12): a list too long to write inside a request is offered as a job
with progress, like the workbook; its file has every row, formulas neutralised, dates as dates;
the job belongs to the office; a short list still downloads at once. The lists' files are built
from plain rows (planner.results.record_rows) with the very cells the pages show.

The limit is lowered to two rows here: October's story has 3 people reached, 4 follow-ups due,
2 enrolments.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from planner.enums import SessionKind
from planner.extensions import db
from planner.followups.models import Product
from planner.printing.models import PrintJob
from planner.results import jobs, record_rows, records, tables
from planner.results.records import Narrowing, RecordList
from planner.timezones import now_utc
from tests import factories, test_results
from tests.conftest import login
from tests.test_results import OCTOBER_ARGS, office_filter, wait_for_job

# The hand-counted October of tests/test_results.py, as a fixture of this module too.
story = test_results.story

pytestmark = pytest.mark.usefixtures("story")


@pytest.fixture
def app_config() -> dict:
    return {"RESULTS_EXPORT_INLINE_ROWS": 2}


def _export_jobs() -> list[PrintJob]:
    db.session.commit()  # a fresh read: each request commits in a session of its own
    return list(db.session.scalars(sa.select(PrintJob).where(PrintJob.kind == jobs.EXPORT)))


def _start_from_the_offer(client, path: str) -> str:
    """Open a long list's export, press the page's button; answer the job's id."""
    offer = client.get(path, query_string=OCTOBER_ARGS)
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    html = offer.get_data(as_text=True)
    assert "nhiều hơn 2 dòng" in html  # "more than 2 rows", in Vietnamese
    assert 'name="csrf_token"' in html
    action = re.search(r'<form method="post" action="(/results/export/[^"]+)"', html)
    assert action, html
    assert _export_jobs() == []  # opening the address started nothing
    started = client.post(action.group(1).replace("&amp;", "&"))
    assert started.status_code == 302
    [job] = _export_jobs()
    assert started.headers["Location"].endswith(f"/results/jobs/{job.id}")
    wait_for_job(job.id)
    return job.id


def test_a_long_list_is_offered_as_a_job_whose_file_has_every_row(supervisor_client, story):
    story["people"][1].full_name = '=HYPERLINK("http://x")'  # B, reached in October
    db.session.commit()
    job_id = _start_from_the_offer(supervisor_client, "/results/export/records_reached.xlsx")
    page = supervisor_client.get(f"/results/jobs/{job_id}").get_data(as_text=True)
    assert f"/results/jobs/{job_id}/download" in page
    assert "<h1>File đã sẵn sàng</h1>" in page  # not "preparing" once it is done
    download = supervisor_client.get(f"/results/jobs/{job_id}/download")
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(download.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Tên" and sheet.cell(1, 1).font.bold
    assert sheet.freeze_panes == "A2"
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == sorted(["Giàng Thị Sua", '\'=HYPERLINK("http://x")', "Sùng Thị Dợ"])
    sua = rows[1 + names.index("Giàng Thị Sua")]
    assert sua[5:] == [3, "Có"]  # three sessions, interested


def test_a_long_list_as_csv_is_a_job_and_keeps_its_bom_and_dates(supervisor_client):
    job_id = _start_from_the_offer(supervisor_client, "/results/export/records_follow_ups_due.csv")
    download = supervisor_client.get(f"/results/jobs/{job_id}/download")
    assert download.mimetype == "text/csv"
    assert download.data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert len(lines) == 1 + 4
    assert [line[3] for line in lines[1:]] == [
        "2026-10-08",
        "2026-10-15",
        "2026-10-20",
        "2026-10-31",
    ]


def test_a_long_lists_dates_stay_dates_in_the_jobs_workbook(supervisor_client):
    job_id = _start_from_the_offer(supervisor_client, "/results/export/records_follow_ups_due.xlsx")
    sheet = load_workbook(
        io.BytesIO(supervisor_client.get(f"/results/jobs/{job_id}/download").data)
    ).active
    due = sheet.cell(2, 4)
    assert due.value == datetime(2026, 10, 8) and due.number_format == "DD/MM/YYYY"
    assert sheet.cell(2, 5).value == datetime(2026, 10, 10)  # B's first call


def test_a_short_list_still_downloads_at_once(supervisor_client):
    book = supervisor_client.get(
        "/results/export/records_enrolments.xlsx", query_string=OCTOBER_ARGS
    )
    assert book.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # Named by what it lists, in the letters every system accepts.
    assert "ket-qua-dang-ky-tham-gia-2026-10.xlsx" in book.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(book.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 2
    # Money is a number with its thousands grouped, so the column still adds up.
    contribution = sheet.cell(2, 5)
    assert isinstance(contribution.value, int) and contribution.number_format == "#,##0"
    text = supervisor_client.get(
        "/results/export/records_enrolments.csv", query_string=OCTOBER_ARGS
    ).data
    assert text.startswith("\ufeff".encode()) and len(text.decode("utf-8-sig").splitlines()) == 3
    assert _export_jobs() == []


def test_a_narrowed_list_counts_only_its_rows(supervisor_client):
    # Two of the three people reached came to the market (A and E): short enough to download.
    market = supervisor_client.get(
        "/results/export/records_reached.csv", query_string={**OCTOBER_ARGS, "kind": "market"}
    )
    assert market.mimetype == "text/csv"
    assert len(market.data.decode("utf-8-sig").splitlines()) == 1 + 2


def test_another_offices_user_cannot_see_or_download_an_export_job(app, supervisor_client):
    job_id = _start_from_the_offer(supervisor_client, "/results/export/records_reached.xlsx")
    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    outsider = factories.user(other, username="lan", full_name="Lò Thị Lan", role="supervisor")
    db.session.commit()
    theirs = login(app.test_client(), outsider)
    assert theirs.get(f"/results/jobs/{job_id}").status_code == 404
    assert theirs.get(f"/results/jobs/{job_id}/download").status_code == 404
    assert supervisor_client.get(f"/results/jobs/{job_id}/download").status_code == 200


def test_only_a_list_can_be_started_as_an_export_job(supervisor_client):
    assert supervisor_client.post("/results/export/by_commune.xlsx").status_code == 404
    assert supervisor_client.post("/results/export/records_nothing.xlsx").status_code == 404
    assert supervisor_client.post("/results/export/records_reached.pdf").status_code == 404
    assert _export_jobs() == []


@pytest.mark.parametrize("which", list(RecordList))
@pytest.mark.parametrize(
    "narrow",
    [Narrowing(), Narrowing(kind=SessionKind.MARKET), Narrowing(product=Product.HOUSEHOLD_HI)],
    ids=["all", "market", "hhi"],
)
def test_a_lists_file_has_the_cells_its_page_shows(app, office, story, which, narrow):
    story["people"][4].erased_at = now_utc()  # E: named by number in both
    db.session.commit()
    f = office_filter(office)
    with app.test_request_context():
        if which.of_sessions:
            items = records.sessions(f, which, narrow)
        elif which.of_follow_ups:
            items = records.follow_ups(f, which, narrow)
        elif which == RecordList.ENROLMENTS:
            items = records.enrolments(f, narrow)
        else:
            items = records.people(f, which, narrow)
        page = tables.records(which, items, lambda *_a, **_k: None)
        written = record_rows.table(f, which, narrow)
        assert written.columns == page.columns and written.title == page.title
        assert written.rows == page.rows
        assert record_rows.count_up_to(f, which, narrow, 100) == len(page.rows)
        assert record_rows.count_up_to(f, which, narrow, 1) == min(1, len(page.rows))
