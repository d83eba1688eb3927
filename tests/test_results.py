"""Results: the dashboard's figures against a hand count, comparisons, targets and their pace,
coverage, where to go next, exports, and the office scoping of every results address."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.enums import PriorityGroup, Role, SessionKind, SessionStatus
from planner.extensions import db
from planner.followups.models import (
    FollowUp,
    FollowUpOutcome,
    FollowUpStatus,
    OutcomeKind,
    Product,
)
from planner.places.models import Commune
from planner.results import comparisons, coverage, figures, ranking, records, targets
from planner.results.models import CommuneCoverage, Target, TargetMetric
from planner.results.periods import Period, PeriodKind, ResultsFilter
from planner.timezones import local_to_utc, today_local
from tests import factories
from tests import factories_followups as ff
from tests.conftest import login

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31), PeriodKind.MONTH)
OCTOBER_ARGS = {"period": "custom", "first": "2026-10-01", "last": "2026-10-31"}


def held(lead, commune, day: date, start: time, **kwargs):
    session = factories.session(
        lead, commune, day=day, start=start, end=time(start.hour + 1, 0), **kwargs
    )
    session.status = SessionStatus.HELD
    return session


def outcome(follow_up: FollowUp, at: datetime, kind=OutcomeKind.REACHED) -> None:
    follow_up.outcomes.append(
        FollowUpOutcome(
            office_id=follow_up.office_id, kind=kind, at=at, by_id=follow_up.assigned_to_id
        )
    )


def follow_up(person, product, due: date, officer, status=FollowUpStatus.OPEN) -> FollowUp:
    record = FollowUp(
        office_id=person.office_id,
        person_id=person.id,
        product=product,
        assigned_to_id=officer.id,
        due_on=due,
        status=status,
    )
    db.session.add(record)
    db.session.flush()
    return record


@pytest.fixture
def story(office, officer, supervisor, places):
    """October 2026 in Bắc Hà, counted by hand:

    sessions (local days): S4 1 Oct 06:00 (30 Sep in UTC) held · S1 5 Oct held (Mai) ·
    S2 12 Oct market held (Pao) · S3 14 Oct cancelled · S6 20 Oct still planned ·
    S5 1 Nov 05:00 (31 Oct in UTC) held, outside October.
    people: A at S1, S2 and S4 (interested at S2) · B at S1 (interested) · E at S2 ·
    C only at the cancelled S3 · D only at S5.  Reached 3 (A, B, E), interested 2 (A, B).
    follow-ups due in October: F1 (A, due 15, called on the 15th: on time), F2 (B, due 8,
    called on the 10th: late), F3 (E, due 31, called 00:30 on 1 Nov local, 31 Oct in UTC:
    late), F5 (Pao, due 20, never called); F4 cancelled does not count. Due 4, on time 1.
    enrolments: A in voluntary SI on 20 Oct (credited to S1, S2 and S4; main S2, Pao's market),
    B in household HI with 3 members on 25 Oct (main S1), D in household HI on 2 Nov (November).
    """
    factories.rates()
    pao = factories.user(office, username="pao", full_name="Giàng Seo Pao")
    commune = places.commune
    s4 = held(officer, commune, date(2026, 10, 1), time(6, 0), venue=places.house)
    s1 = held(officer, commune, date(2026, 10, 5), time(19, 0), venue=places.house)
    s2 = held(
        pao, commune, date(2026, 10, 12), time(8, 0), venue=places.market, kind=SessionKind.MARKET
    )
    s3 = factories.session(officer, commune, day=date(2026, 10, 14), venue=places.house)
    s3.status = SessionStatus.CANCELLED
    s6 = factories.session(officer, commune, day=date(2026, 10, 20), venue=places.house)
    s5 = held(officer, commune, date(2026, 11, 1), time(5, 0), venue=places.house)
    a = ff.person(office, "Giàng Thị Sua", phone="+84912000101")
    b = ff.person(office, "Lý Thị Mẩy", phone="+84912000102")
    c = ff.person(office, "Vàng Seo Chứ", phone="+84912000103")
    d = ff.person(office, "Hoàng Văn Pằng", phone="+84912000104")
    e = ff.person(office, "Sùng Thị Dợ", phone="+84912000105")
    for session, who, vsi, hhi in [
        (s1, a, False, False),
        (s2, a, True, False),
        (s4, a, False, False),
        (s1, b, False, True),
        (s2, e, False, False),
        (s3, c, True, True),
        (s5, d, False, True),
    ]:
        ff.attend(session, who, vsi=vsi, hhi=hhi, signal=False)
    f1 = follow_up(a, Product.VOLUNTARY_SI, date(2026, 10, 15), pao)
    outcome(f1, local_to_utc(date(2026, 10, 15), time(16, 0)))
    f2 = follow_up(b, Product.HOUSEHOLD_HI, date(2026, 10, 8), officer)
    outcome(f2, local_to_utc(date(2026, 10, 10), time(9, 0)))
    f3 = follow_up(e, Product.VOLUNTARY_SI, date(2026, 10, 31), officer)
    outcome(f3, datetime(2026, 10, 31, 17, 30, tzinfo=UTC))
    follow_up(c, Product.VOLUNTARY_SI, date(2026, 10, 18), officer, FollowUpStatus.CANCELLED)
    follow_up(d, Product.VOLUNTARY_SI, date(2026, 10, 20), pao)
    db.session.flush()
    record_enrolment(
        a,
        EnrolmentInput(
            product=Product.VOLUNTARY_SI,
            enrolled_on=date(2026, 10, 20),
            receipt_number="BL-1",
            income=1_500_000,
            priority_group=PriorityGroup.OTHER,
        ),
        officer,
    )
    record_enrolment(
        b,
        EnrolmentInput(
            product=Product.HOUSEHOLD_HI,
            enrolled_on=date(2026, 10, 25),
            receipt_number="BL-2",
            members=3,
            months=12,
        ),
        officer,
    )
    record_enrolment(
        d,
        EnrolmentInput(
            product=Product.HOUSEHOLD_HI,
            enrolled_on=date(2026, 11, 2),
            receipt_number="BL-3",
            members=1,
            months=12,
        ),
        officer,
    )
    db.session.commit()
    return {"pao": pao, "sessions": (s1, s2, s3, s4, s5, s6), "people": (a, b, c, d, e)}


def office_filter(office, period=OCTOBER, officer_ids=None, commune_id=None) -> ResultsFilter:
    return ResultsFilter(office.id, officer_ids, commune_id, period)


def test_the_october_figures_match_the_hand_count(office, story):
    counted = figures.figures(office_filter(office))
    assert counted.sessions_held == 3  # S4 (1 Oct local), S1, S2; not S5 (1 Nov local)
    assert counted.sessions_cancelled == 1
    assert counted.sessions_planned == 1
    assert counted.sessions_stale == 1
    assert counted.reached == 3  # A counts once for three sessions; C and D do not count
    assert counted.interested == 2
    assert counted.follow_ups_due == 4
    assert counted.follow_ups_on_time == 1
    assert counted.followed_up == 2  # F3's call was on 1 Nov in Vietnam
    assert counted.enrolled == {Product.VOLUNTARY_SI: 1, Product.HOUSEHOLD_HI: 1}
    assert counted.enrolled_people == 2
    assert counted.household_members == 3
    assert counted.conversion_rate == Decimal("66.7")
    # 330,000 for one month of voluntary SI; 12 x (105,300 + 73,710 + 63,180) for the household.
    assert counted.contributions == 330_000 + 12 * 242_190
    assert counted.state_support == 66_000  # 20% of the minimum, one month


def test_an_enrolment_credited_to_three_sessions_counts_once_for_its_main_session(office, story):
    by_kind = {r.key: r for r in comparisons.breakdown(office_filter(office), "kind").rows}
    assert by_kind["market"].enrolled_vsi == 1
    assert by_kind["village_meeting"].enrolled_vsi == 0
    assert by_kind["village_meeting"].enrolled_hhi == 1
    assert by_kind["village_meeting"].reached == 2  # A and B at S1 and S4
    assert by_kind["market"].reached == 2  # A and E at S2
    assert by_kind["village_meeting"].sessions_held == 2


def test_an_officer_sees_the_sessions_they_lead_and_the_enrolments_credited_to_them(
    office, officer, story
):
    mine = figures.figures(office_filter(office, officer_ids=frozenset({officer.id})))
    assert mine.sessions_held == 2
    assert mine.reached == 2  # A and B at S1 / S4
    assert mine.enrolled == {Product.VOLUNTARY_SI: 0, Product.HOUSEHOLD_HI: 1}
    assert mine.follow_ups_due == 2  # F2 and F3


def test_a_supervisor_picking_an_officer_sees_that_officers_results(supervisor_client, story):
    pao = story["pao"]
    page = supervisor_client.get(
        "/results/records/sessions_held", query_string={**OCTOBER_ARGS, "officer": pao.id}
    ).get_data(as_text=True)
    assert "Giàng Seo Pao" in page
    assert "Lý Thị Mai</td>" not in page


def test_the_officer_picker_offers_those_who_lead_sessions_not_the_administrator(
    supervisor_client, office, story
):
    factories.user(office, username="hung", full_name="Phạm Quốc Hùng", role=Role.ADMIN)
    db.session.commit()
    page = supervisor_client.get("/results/", query_string=OCTOBER_ARGS).get_data(as_text=True)
    picker = page[page.index('name="officer"') :]
    picker = picker[: picker.index("</select>")]
    assert "Giàng Seo Pao" in picker and "Phạm Quốc Hùng" not in picker


def test_comparisons_by_week_sex_and_officer_add_up(office, officer, story):
    weeks = comparisons.breakdown(office_filter(office), "week").rows
    assert [r.key for r in weeks if r.sessions_held] == ["2026-09-28", "2026-10-05", "2026-10-12"]
    by_officer = {r.key: r for r in comparisons.breakdown(office_filter(office), "officer").rows}
    assert by_officer[story["pao"].id].enrolled == 1
    assert by_officer[officer.id].enrolled == 1
    by_sex = comparisons.breakdown(office_filter(office), "sex").rows
    assert sum(r.reached for r in by_sex) == 3


def test_the_dashboard_shows_the_figures_beside_the_previous_period(supervisor_client, story):
    page = supervisor_client.get("/results/", query_string=OCTOBER_ARGS)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="figure-reached"' in html
    assert "<svg" in html and "<table" in html
    assert "66,7 %" in html  # Vietnamese decimal comma


def test_each_figure_links_to_its_records(supervisor_client, story):
    people = supervisor_client.get("/results/records/reached", query_string=OCTOBER_ARGS)
    html = people.get_data(as_text=True)
    assert "Giàng Thị Sua" in html and "Sùng Thị Dợ" in html
    assert "Vàng Seo Chứ" not in html and "Hoàng Văn Pằng" not in html
    market = supervisor_client.get(
        "/results/records/enrolments", query_string={**OCTOBER_ARGS, "kind": "market"}
    ).get_data(as_text=True)
    assert "Giàng Thị Sua" in market and "Lý Thị Mẩy" not in market
    stale = supervisor_client.get(
        "/results/records/sessions_stale", query_string=OCTOBER_ARGS
    ).get_data(as_text=True)
    assert "20/10/2026" in stale


# --- Targets and pace -----------------------------------------------------------------------


def test_pace_halfway_through_a_thirty_day_month():
    # 30 wanted, 12 done after 15 of 30 days (today is day 15): 18 left over 16 days.
    p = targets.pace(30, 12, date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 15))
    assert p.remaining == 18
    assert p.elapsed_days == 15 and p.days_left == 16
    assert p.needed_per_week == pytest.approx(18 * 7 / 16)
    assert p.projected == 12 + round(12 / 15 * 15)  # 24: behind
    assert p.on_track is False
    assert p.percent == 40


def test_pace_before_the_start_and_after_the_end():
    early = targets.pace(10, 0, date(2026, 12, 1), date(2026, 12, 31), date(2026, 11, 20))
    assert early.on_track is None and early.days_left == 31
    over = targets.pace(10, 11, date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 20))
    assert over.on_track is True and over.needed_per_week is None and over.remaining == 0


def test_a_commune_target_shows_its_progress(office, supervisor, places, story):
    target = targets.save_target(
        office.id,
        targets.TargetInput(
            TargetMetric.ENROLLED_HOUSEHOLD_HI, 4, OCTOBER.first, OCTOBER.last, places.commune.id
        ),
        supervisor,
    )
    [item] = targets.progress([target], today=date(2026, 10, 31))
    assert item.pace.actual == 1
    assert item.pace.remaining == 3


def test_a_negative_target_is_refused_with_nothing_saved(supervisor_client, places, story):
    response = supervisor_client.post(
        "/results/targets",
        data={
            "metric": "reached",
            "value": "-5",
            "commune_id": str(places.commune.id),
            "officer_id": "0",
            "campaign_id": "0",
            "first_day": "2026-10-01",
            "last_day": "2026-10-31",
        },
    )
    assert response.status_code == 400
    assert "không âm" in response.get_data(as_text=True) or "zero or more" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count(Target.id))) == 0


def test_a_target_for_another_offices_commune_is_refused(supervisor_client, story):
    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    theirs = Commune(office=other, name="Sìn Hồ")
    db.session.add(theirs)
    db.session.commit()
    response = supervisor_client.post(
        "/results/targets",
        data={
            "metric": "reached",
            "value": "5",
            "commune_id": str(theirs.id),
            "officer_id": "0",
            "campaign_id": "0",
            "first_day": "2026-10-01",
            "last_day": "2026-10-31",
        },
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Target.id))) == 0


def test_an_officer_cannot_set_targets(officer_client, story):
    response = officer_client.post("/results/targets", data={"metric": "reached", "value": "5"})
    assert response.status_code == 403


# --- Bad filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ({"period": "custom", "first": "2026-10-31", "last": "2026-10-01"}, "trước ngày đầu"),
        ({"period": "custom", "first": "2006-01-01", "last": "2026-01-01"}, "ba năm"),
        ({"period": "custom", "first": "not a day", "last": "2026-01-01"}, "not a day"),
        ({"period": "decade"}, "Chọn khoảng thời gian"),
        ({"scope": "everyone"}, "Chọn xem buổi của ai"),
        ({"scope": "officer"}, "cán bộ"),
        ({"commune": "Bắc Hà"}, "Hãy chọn xã thuộc đơn vị của bạn"),
    ],
)
def test_a_bad_period_or_scope_is_a_clear_400(supervisor_client, story, args, says):
    """Each refusal names what is wrong, and the page leads back to the results."""
    response = supervisor_client.get("/results/", query_string=args)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert says in html
    assert 'href="/results/"' in html


def test_another_offices_commune_or_officer_is_a_404(supervisor_client, story):
    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    theirs = Commune(office=other, name="Sìn Hồ")
    db.session.add(theirs)
    stranger = factories.user(other, username="lan", full_name="Lò Thị Lan")
    db.session.commit()
    for path in ("/results/", "/results/records/reached", "/results/export/by_kind.csv"):
        assert supervisor_client.get(path, query_string={"commune": theirs.id}).status_code == 404
        assert (
            supervisor_client.get(
                path, query_string={"scope": "officer", "officer": stranger.id}
            ).status_code
            == 404
        )
    assert supervisor_client.get("/results/", query_string={"commune": 99999}).status_code == 404


def test_every_results_page_shows_only_the_users_office(client, office, story):
    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    outsider = factories.user(other, username="lan", full_name="Lò Thị Lan", role="supervisor")
    db.session.commit()
    login(client, outsider)
    pages = [
        "/results/",
        "/results/records/reached",
        "/results/records/enrolments",
        "/results/records/sessions_held",
        "/results/records/follow_ups_due",
        "/results/compare/officer",
        "/results/compare/commune",
        "/results/where-next",
        "/results/targets",
        "/results/coverage",
        "/results/export/records_reached.csv",
        "/results/export/records_enrolments.xlsx",
        "/results/export/by_commune.csv",
        "/results/export/where_next.csv",
    ]
    for path in pages:
        response = client.get(path, query_string=OCTOBER_ARGS)
        assert response.status_code == 200, path
        body = response.data
        if path.endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(body)).worksheets[0]
            body = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row).encode()
        text = body.decode("utf-8", "replace")
        for name in ("Giàng Thị Sua", "Bắc Hà", "Lý Thị Mai", "Giàng Seo Pao"):
            assert name not in text, (path, name)


# --- Exports --------------------------------------------------------------------------------


def test_exports_neutralise_formulas(supervisor_client, office, story):
    story["people"][0].full_name = '=HYPERLINK("http://x")'
    db.session.commit()
    text = supervisor_client.get(
        "/results/export/records_reached.csv", query_string=OCTOBER_ARGS
    ).data.decode("utf-8-sig")
    names = [row[0] for row in csv.reader(io.StringIO(text))]
    assert '\'=HYPERLINK("http://x")' in names
    book = supervisor_client.get(
        "/results/export/records_reached.xlsx", query_string=OCTOBER_ARGS
    ).data
    sheet = load_workbook(io.BytesIO(book)).worksheets[0]
    assert '\'=HYPERLINK("http://x")' in [row[0].value for row in sheet.iter_rows()]


def test_the_monthly_report_is_a_pdf_made_as_a_job(supervisor_client, office, story):
    from planner.printing.models import PrintJob
    from planner.results import jobs

    started = supervisor_client.post("/results/report", query_string=OCTOBER_ARGS)
    assert started.status_code == 302
    job_id = db.session.scalar(sa.select(PrintJob.id).where(PrintJob.kind == jobs.REPORT))
    assert started.headers["Location"].endswith(f"/results/jobs/{job_id}")
    wait_for_job(job_id)
    page = supervisor_client.get(f"/results/jobs/{job_id}").get_data(as_text=True)
    assert f"/results/jobs/{job_id}/download" in page
    pdf = supervisor_client.get(f"/results/jobs/{job_id}/download")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "button", "name"),
    [
        (OCTOBER_ARGS, "Báo cáo tháng 10/2026 (PDF)", "bao-cao-ket-qua-2026-10.pdf"),
        (
            {"period": "year", "day": "2026-10-12"},
            "Báo cáo năm 2026 (PDF)",
            "bao-cao-ket-qua-2026.pdf",
        ),
        (
            {"period": "quarter", "day": "2026-10-12"},
            "Báo cáo quý 4/2026 (PDF)",
            "bao-cao-ket-qua-2026-q4.pdf",
        ),
        (
            {"period": "week", "day": "2026-10-12"},
            "Báo cáo 12/10/2026 – 18/10/2026 (PDF)",
            "bao-cao-ket-qua-20261012-20261018.pdf",
        ),
    ],
    ids=["month", "year", "quarter", "week"],
)
def test_the_report_button_and_file_are_named_for_the_chosen_period(
    supervisor_client, story, monkeypatch, args, button, name
):
    """The issue asks for a monthly report, and a supervisor may choose a quarter or a year: the
    PDF covers the chosen period, so its button and file say which."""
    from planner.printing.models import PrintJob
    from planner.results import jobs

    monkeypatch.setattr(jobs, "enqueue", lambda *_args: None)  # the name is the point, not the PDF

    page = supervisor_client.get("/results/", query_string=args).get_data(as_text=True)
    assert button in page
    supervisor_client.post("/results/report", query_string=args)
    job = db.session.scalars(sa.select(PrintJob).where(PrintJob.kind == jobs.REPORT)).one()
    assert job.filename == name


def test_the_report_s_title_names_a_year_and_its_days(app, office, story, monkeypatch):
    from planner.results import exports
    from planner.results.periods import period_of

    monkeypatch.setattr(exports.render, "render_pdf", lambda html, _styles: html)
    year = ResultsFilter(office.id, None, None, period_of(PeriodKind.YEAR, date(2026, 10, 12)))
    with app.test_request_context():
        html = exports.report_pdf(exports.monthly_report(office, year))
    assert "Kết quả truyền thông năm 2026 (01/01/2026 – 31/12/2026)" in html


def test_every_table_of_the_period_is_one_workbook_made_as_a_job(supervisor_client, story):
    from planner.printing.models import PrintJob
    from planner.results import jobs

    supervisor_client.post("/results/workbook", query_string=OCTOBER_ARGS)
    job_id = db.session.scalar(sa.select(PrintJob.id).where(PrintJob.kind == jobs.EXPORT))
    wait_for_job(job_id)
    book = load_workbook(io.BytesIO(supervisor_client.get(f"/results/jobs/{job_id}/download").data))
    assert len(book.worksheets) > 10
    names = [row[0].value for row in book["Người được tiếp cận"].iter_rows()]
    assert "Giàng Thị Sua" in names


def test_another_offices_job_is_a_404(client, story):
    from planner.printing.models import PrintJob
    from planner.results import jobs

    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    theirs = PrintJob(id="a" * 32, office_id=other.id, user_id=story["pao"].id, kind=jobs.REPORT)
    db.session.add(theirs)
    db.session.commit()
    login(client, story["pao"])
    assert client.get(f"/results/jobs/{'a' * 32}").status_code == 404
    assert client.get(f"/results/jobs/{'a' * 32}/download").status_code == 404


def wait_for_job(job_id: str, timeout: float = 60) -> None:
    import time as clock

    from planner.printing.models import PrintJob

    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        db.session.expire_all()
        status = db.session.get(PrintJob, job_id).status
        if status in ("done", "failed"):
            assert status == "done", db.session.get(PrintJob, job_id).error
            return
        clock.sleep(0.1)
    raise AssertionError("the job did not finish")


# --- Coverage -------------------------------------------------------------------------------


def test_coverage_shows_the_uninsured_estimate_less_members_enrolled_since(
    office, supervisor, places, story
):
    coverage.record_coverage(
        office.id,
        coverage.CoverageInput(places.commune.id, date(2026, 10, 1), 1000, 250, 900, 30),
        supervisor,
    )
    [row] = coverage.coverage_table(office.id, date(2026, 11, 30), places.commune.id)
    # 1000 - 900 insured - 3 (B's household, 25 Oct) - 1 (D's household, 2 Nov)
    assert row.uninsured_estimate == 96
    assert row.voluntary_si_rate == Decimal("3.0")


def test_a_coverage_import_with_one_bad_row_saves_nothing(supervisor_client, places, story):
    content = (
        "Xã/phường,Ngày số liệu,Số dân,Số hộ,Đã có BHYT,Đã tham gia BHXH tự nguyện\n"
        f"{places.commune.name},01/10/2026,1000,250,900,30\n"
        "Nơi Không Có,01/10/2026,1000,250,900,30\n"
        f"{places.commune.name},02/10/2026,1000,250,1200,30\n"
    ).encode()
    response = supervisor_client.post(
        "/results/coverage",
        data={"import-sheet": (io.BytesIO(content), "so-lieu.csv"), "import-submit": "1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "3" in html  # the rows are named
    assert db.session.scalar(sa.select(sa.func.count(CommuneCoverage.id))) == 0
    good = content.decode().splitlines()[:2]
    response = supervisor_client.post(
        "/results/coverage",
        data={
            "import-sheet": (io.BytesIO("\n".join(good).encode()), "so-lieu.csv"),
            "import-submit": "1",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CommuneCoverage.id))) == 1


def test_typed_coverage_with_more_insured_than_people_is_refused(supervisor_client, places, story):
    response = supervisor_client.post(
        "/results/coverage",
        data={
            "commune_id": str(places.commune.id),
            "as_of": "2026-10-01",
            "population": "100",
            "households": "20",
            "with_health_insurance": "150",
            "with_voluntary_si": "3",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(CommuneCoverage.id))) == 0


def test_a_follow_up_not_yet_due_and_not_yet_called_is_not_called_late(
    supervisor_client, office, officer, places
):
    """The follow-ups due this week: yesterday's, never called, is late; tomorrow's, not called
    yet, is not late yet; the page and its file say the same."""
    today = today_local()
    late = ff.person(office, "Giàng A Tủa", phone="+84912000201")
    waiting = ff.person(office, "Lò Thị Én", phone="+84912000202")
    follow_up(late, Product.VOLUNTARY_SI, today - timedelta(days=1), officer)
    follow_up(waiting, Product.VOLUNTARY_SI, today + timedelta(days=1), officer)
    db.session.commit()
    args = {
        "period": "custom",
        "first": (today - timedelta(days=1)).isoformat(),
        "last": (today + timedelta(days=1)).isoformat(),
    }
    lines = {
        line.follow_up.person.full_name: line.on_time
        for line in records.follow_ups(
            ResultsFilter(office.id, None, None, Period(today - timedelta(days=1), today)),
            records.RecordList.FOLLOW_UPS_DUE,
            records.Narrowing(),
        )
    }
    assert lines == {"Giàng A Tủa": False}
    page = supervisor_client.get("/results/records/follow_ups_due", query_string=args)
    html = page.get_data(as_text=True)
    assert "Chưa đến hạn" in html[html.index("Lò Thị Én") :]
    assert "Chưa đến hạn" not in html[html.index("Giàng A Tủa") : html.index("Lò Thị Én")]
    file = supervisor_client.get(
        "/results/export/records_follow_ups_due.csv", query_string=args
    ).get_data(as_text=True)
    rows = {row[0]: row for row in csv.reader(io.StringIO(file.lstrip("\ufeff")))}
    assert "Chưa đến hạn" in rows["Lò Thị Én"] and "Không" in rows["Giàng A Tủa"]


# --- Where to go next -----------------------------------------------------------------------


def test_where_next_puts_the_commune_behind_its_target_first_with_a_plan_link(
    supervisor_client, office, supervisor, places, story
):
    behind = Commune(office=office, name="Si Ma Cai")
    db.session.add(behind)
    db.session.flush()
    today = today_local()
    targets.save_target(
        office.id,
        targets.TargetInput(
            TargetMetric.ENROLLED_VOLUNTARY_SI, 10, today.replace(day=1), today, behind.id
        ),
        supervisor,
    )
    db.session.commit()
    html = supervisor_client.get("/results/where-next").get_data(as_text=True)
    ranks = html[html.index('class="rank-list"') :]
    assert ranks.index("Si Ma Cai") < ranks.index("Bắc Hà")
    assert f"/sessions/new?commune={behind.id}" in html
    new = supervisor_client.get(f"/sessions/new?commune={behind.id}").get_data(as_text=True)
    assert f'<option selected value="{behind.id}">' in new


def test_where_next_counts_a_commune_s_people_once_and_names_the_kind_that_converted_best(
    office, places, story
):
    """The story seen from 30 November (the last 365 days): in Bắc Hà, A (at two village
    meetings and the market), B and D (village meetings) and E (the market) were reached: four
    people, though village meetings reached three and the market two. A enrolled through the
    market; B and D through village meetings: 2 of 3 (66.7 %) against 1 of 2 (50 %)."""
    f = ResultsFilter(office.id, None, None, OCTOBER)
    ranks = {r.commune_id: r for r in ranking.where_next(f, today=date(2026, 11, 30))}
    bac_ha = ranks[places.commune.id]
    assert (bac_ha.reached, bac_ha.enrolled) == (4, 3)
    assert bac_ha.best_kind == SessionKind.VILLAGE_MEETING
    assert bac_ha.best_kind_rate == Decimal("66.7")
    assert bac_ha.conversion_rate == Decimal("75.0")


def _market_session(officer, places, day: date, status=SessionStatus.PLANNED):
    session = factories.session(
        officer,
        places.commune,
        day=day,
        start=time(8, 0),
        end=time(10, 30),
        venue=places.market,
        kind=SessionKind.MARKET,
    )
    session.status = status
    return session


def _offered(f, today: date, at: time) -> tuple[list[date], list[date]]:
    """The Sunday market's days offered to plan at, and those shown as already planned."""
    now = local_to_utc(today, at)
    rank = next(r for r in ranking.where_next(f, today=today, now=now) if r.name == "Bắc Hà")
    return [m.day for m in rank.next_markets.free], [m.day for m in rank.next_markets.taken]


def test_where_next_offers_the_market_days_no_session_is_planned_at_yet(office, officer, places):
    """Seen from Monday 7 December 2026, the Bắc Hà market meets on Sundays 13 and 20 December.
    A session is already planned there on the 13th, so planning another would only end in a
    clash warning: the 20th is offered, the 13th shown as taken. A session cancelled on the 20th
    does not take the day."""
    _market_session(officer, places, date(2026, 12, 13))
    _market_session(officer, places, date(2026, 12, 20), SessionStatus.CANCELLED)
    db.session.commit()
    f = ResultsFilter(office.id, None, None, OCTOBER)
    free, taken = _offered(f, date(2026, 12, 7), time(9, 0))
    assert free == [date(2026, 12, 20)]
    assert taken == [date(2026, 12, 13)]


def test_where_next_offers_today_s_market_only_until_it_is_over(office, officer, places):
    """On Sunday 6 December the market is offered in the morning; from noon it is over (venues
    keep no market hours: highland markets break up by midday), so only the 13th is offered."""
    f = ResultsFilter(office.id, None, None, OCTOBER)
    morning = _offered(f, date(2026, 12, 6), time(9, 0))
    assert morning == ([date(2026, 12, 6), date(2026, 12, 13)], [])
    assert _offered(f, date(2026, 12, 6), time(15, 0)) == ([date(2026, 12, 13)], [])


def test_where_next_page_plans_only_at_free_market_days_and_says_which_are_taken(
    supervisor_client, officer, places, monkeypatch
):
    monkeypatch.setattr(ranking, "now_utc", lambda: local_to_utc(date(2026, 12, 7), time(9, 0)))
    _market_session(officer, places, date(2026, 12, 13))
    db.session.commit()
    html = supervisor_client.get("/results/where-next").get_data(as_text=True)
    assert "day=2026-12-20" in html and "day=2026-12-13" not in html
    assert "Đã có buổi tại Chợ phiên Bắc Hà ngày CN 13/12." in html


# --- Queries --------------------------------------------------------------------------------


@pytest.fixture
def count_queries(app):
    from sqlalchemy import event

    counted = []

    def before(*_args, **_kwargs):
        counted.append(1)

    def run(client, path, **kwargs):
        counted.clear()
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            response = client.get(path, **kwargs)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        assert response.status_code == 200, path
        return len(counted)

    return run


def _more_history(office, officer, places, n: int) -> None:
    for index in range(n):
        session = held(officer, places.commune, date(2026, 10, 2 + index), time(9, 0))
        ff.attend(
            session,
            ff.person(office, f"Người {index}", phone=f"+8491200{index:04d}"),
            vsi=True,
            signal=False,
        )
    db.session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/results/",
        "/results/records/reached",
        "/results/records/sessions_held",
        "/results/records/enrolments",
        "/results/records/follow_ups_due",
        "/results/compare/week",
        "/results/compare/commune",
        "/results/where-next",
        "/results/targets",
        "/results/coverage",
    ],
)
def test_results_pages_load_in_a_fixed_number_of_queries(
    supervisor_client, office, officer, places, story, count_queries, path
):
    few = count_queries(supervisor_client, path, query_string=OCTOBER_ARGS)
    _more_history(office, officer, places, 12)
    assert count_queries(supervisor_client, path, query_string=OCTOBER_ARGS) == few


def test_record_lists_accept_only_known_kinds_and_products(supervisor_client, story):
    assert (
        supervisor_client.get(
            "/results/records/enrolments", query_string={"product": "car"}
        ).status_code
        == 400
    )
    assert supervisor_client.get("/results/records/nothing").status_code == 404
    assert records.RecordList("reached").label


def test_a_month_typed_as_from_to_is_compared_with_the_month_before():
    """1–31 October typed as dates is October: beside it September (30 days), not the 31 days
    before it (31 August – 30 September); a quarter and a year likewise; other days keep
    "as many days before"."""
    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    assert october.previous() == Period(date(2026, 9, 1), date(2026, 9, 30))
    q4 = Period(date(2026, 10, 1), date(2026, 12, 31))
    assert q4.previous() == Period(date(2026, 7, 1), date(2026, 9, 30))
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    assert year.previous() == Period(date(2025, 1, 1), date(2025, 12, 31))
    ten_days = Period(date(2026, 10, 5), date(2026, 10, 14))
    assert ten_days.previous() == Period(date(2026, 9, 25), date(2026, 10, 4))
