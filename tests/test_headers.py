"""Every download and feed answers with headers strict clients accept: one Content-Type of the
right type with no parameter repeated, and a Content-Disposition whose file name is safe and
keeps its Vietnamese letters (RFC 6266 `filename*`)."""

from __future__ import annotations

import ast
import inspect
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from werkzeug.http import parse_options_header

import planner
from planner.extensions import db
from planner.timezones import today_local
from planner.web import content_disposition, content_type, file_response
from tests import factories
from tests.calendar_story import officer_feed

# The routes that answer with a file, by endpoint, and the test below that fetches each. Job
# downloads and readback pictures need a finished job or an uploaded photo: their files go
# through the same file_response, checked here by type.
FETCHED = {
    "calendars.session_ics",
    "calendars.week_ics",
    "calendars.feed",
    "people.export_attendance",
    "people.import_template",
    "people.export",
    "printing.flyer",
    "printing.sheet",
    "printing.quote_sheet",
    "results.export_table",
    "results.coverage_template",
    "offline.service_worker",
}
BY_TYPE = {
    "printing.job_download": "application/pdf",
    "results.job_download": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "readback.picture": "image/jpeg",
}


def assert_clean_headers(
    response, media_type: str, *, filename: str | None = None, sent: bool = True
) -> None:
    """One Content-Type with no repeated parameter; a text type says UTF-8 once; a download
    (given its expected `filename`, or checked by the caller) names its file once in ASCII."""
    assert response.headers.getlist("Content-Type") == [response.headers["Content-Type"]]
    header = response.headers["Content-Type"]
    names = [part.split("=", 1)[0].strip().lower() for part in header.split(";")[1:]]
    assert len(names) == len(set(names)), header
    kind, options = parse_options_header(header)
    assert kind == media_type
    if media_type.startswith("text/"):
        assert options == {"charset": "utf-8"}, header
    else:
        assert "charset" not in options, header
    if sent:  # through the app, which adds the security headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    if "Content-Disposition" not in response.headers:
        assert filename is None
        return
    dispositions = response.headers.getlist("Content-Disposition")
    assert len(dispositions) == 1
    disposition = dispositions[0]
    assert all(32 <= ord(c) < 127 for c in disposition), disposition
    parameters = [p.strip().split("=", 1)[0] for p in disposition.split(";")[1:]]
    assert len(parameters) == len(set(parameters)), disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    if filename is None:
        return
    assert ascii_filename(disposition) == filename


def ascii_filename(disposition: str) -> str:
    """The plain `filename` parameter (werkzeug's parser would prefer `filename*`)."""
    found = re.findall(r'filename="([^"]*)"', disposition)
    assert len(found) == 1, disposition
    return found[0]


def file_endpoints() -> set[str]:
    """Endpoints whose view calls file_response or sets a Content-Type itself."""
    found = set()
    root = Path(planner.__file__).parent
    # A domain's views are in its routes.py, or in the modules of its routes/ package.
    for path in [*root.glob("*/routes.py"), *root.glob("*/routes/*.py")]:
        blueprint = path.parent.name if path.name == "routes.py" else path.parent.parent.name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = {
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and "file_response(" in ast.unparse(node)
        }
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.decorator_list:
                continue
            source = ast.unparse(node)
            if any(f"{name}(" in source for name in ("file_response", "content_type", *helpers)):
                found.add(f"{blueprint}.{node.name}")
    return found


def test_every_file_route_is_checked_here():
    assert file_endpoints() == FETCHED | set(BY_TYPE)


def test_the_offline_worker_is_javascript_said_once_and_never_stale(officer_client):
    response = officer_client.get("/sw.js")
    assert response.status_code == 200
    assert_clean_headers(response, "text/javascript")
    assert response.headers["Cache-Control"] == "no-cache"


def test_calendar_files_and_feeds(officer_client, officer, places):
    session = factories.session(officer, places.commune, day=today_local() + timedelta(days=3))
    db.session.commit()
    response = officer_client.get(f"/calendars/sessions/{session.id}.ics")
    assert response.status_code == 200
    day = session.local_day.isoformat()
    assert_clean_headers(response, "text/calendar", filename=f"session-{day}-{session.id}.ics")
    response = officer_client.get(f"/calendars/week.ics?week={day}")
    assert_clean_headers(response, "text/calendar")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="week-')
    _feed, path = officer_feed(officer)
    response = officer_client.get(path)
    assert response.status_code == 200
    assert_clean_headers(response, "text/calendar")
    again = officer_client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert "charset=utf-8; charset" not in again.headers.get("Content-Type", "")


def test_people_files(officer_client, supervisor_client, held):
    for fmt, kind in (
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        response = officer_client.get(f"/sessions/{held.id}/attendance.{fmt}")
        assert response.status_code == 200
        assert_clean_headers(response, kind, filename=None)
        assert "danh-sach-nguoi-tham-du-" in response.headers["Content-Disposition"]
        response = officer_client.get(f"/people/import-template.{fmt}")
        assert_clean_headers(response, kind, filename=f"mau-danh-sach-nguoi-tham-du.{fmt}")


def test_a_persons_export(supervisor_client, supervisor, held):
    from planner.people.attendance import record_attendance
    from planner.people.identity import AttendeeInput, clean_attendee

    attendance = record_attendance(
        held, clean_attendee(AttendeeInput(full_name="Lò Văn Páo")), supervisor
    )
    db.session.commit()
    person_id = attendance.person_id
    for fmt, kind in (("json", "application/json"), ("csv", "text/csv")):
        response = supervisor_client.get(f"/people/{person_id}/export.{fmt}")
        assert response.status_code == 200
        assert_clean_headers(response, kind, filename=f"nguoi-{person_id}.{fmt}")


def test_results_files(supervisor_client, office):
    for fmt, kind in (
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        response = supervisor_client.get(f"/results/export/by_kind.{fmt}")
        assert response.status_code == 200
        assert_clean_headers(response, kind, filename=None)
    response = supervisor_client.get("/results/coverage/template.csv")
    assert_clean_headers(response, "text/csv", filename="mau-so-lieu-bao-phu.csv")


def test_printed_matter(officer_client, officer, places, rates):
    session = factories.session(officer, places.commune, day=today_local() + timedelta(days=3))
    db.session.commit()
    for what in ("flyer", "sheet"):
        response = officer_client.get(f"/printing/sessions/{session.id}/{what}.pdf")
        assert response.status_code == 200
        assert_clean_headers(response, "application/pdf", filename=None)
        assert response.headers["Content-Disposition"].startswith("inline; filename=")
    response = officer_client.get(
        "/printing/quote.pdf?group=poor&income=1500000&months=6&members=2&on=2026-01-15"
    )
    assert_clean_headers(response, "application/pdf", filename="bao-gia-ho-gia-dinh.pdf")


@pytest.mark.parametrize("endpoint", sorted(BY_TYPE))
def test_the_types_of_the_files_made_by_jobs_and_uploads(app, endpoint):
    with app.test_request_context():
        response = file_response(b"x", "tep.bin", BY_TYPE[endpoint])
        assert_clean_headers(response, BY_TYPE[endpoint], filename="tep.bin", sent=False)


@pytest.mark.parametrize(
    ("name", "ascii_name", "exact"),
    [
        ("week-2026-12-07.ics", "week-2026-12-07.ics", None),
        ("Báo cáo tháng 12.pdf", "Bao cao thang 12.pdf", "Báo cáo tháng 12.pdf"),
        ("Đội Bắc Hà.xlsx", "Doi Bac Ha.xlsx", "Đội Bắc Hà.xlsx"),
        # Decomposed letters come out composed.
        ("Ba\u0301o ca\u0301o.csv", "Bao cao.csv", "Báo cáo.csv"),
        ('a"b;c\\d/e\r\nX-Evil: 1.pdf', "a-b-c-d-e--X-Evil 1.pdf", "a-b-c-d-e--X-Evil: 1.pdf"),
        ("", "download", None),
    ],
)
def test_file_names_are_safe_ascii_with_the_exact_name_beside(name, ascii_name, exact):
    header = content_disposition(name)
    assert all(32 <= ord(c) < 127 for c in header)
    assert ascii_filename(header) == ascii_name
    if exact is None:
        assert "filename*" not in header
    else:
        assert unquote(header.split("filename*=UTF-8''", 1)[1]) == exact


def test_a_media_type_with_parameters_is_a_programming_error():
    assert content_type("text/calendar") == "text/calendar; charset=utf-8"
    assert content_type("application/pdf") == "application/pdf"
    with pytest.raises(ValueError):
        content_type("text/calendar; charset=utf-8")


def test_the_helpers_are_what_the_routes_use():
    # A route that built its own header would slip past the checks above.
    for path in Path(planner.__file__).parent.glob("*/routes.py"):
        source = path.read_text(encoding="utf-8")
        assert "Content-Disposition" not in source, path
        assert "mimetype=" not in source.replace("mimetype=mimetype", ""), path
    assert inspect.signature(file_response).parameters["mimetype"]
