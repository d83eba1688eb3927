"""Results at scale (issue 12): lists come a page at a time in the same order as the whole list
(which exports take, untruncated), every results page and export runs a fixed number of queries
whatever the data, and the figures the faster queries give are still the hand count."""

from __future__ import annotations

import csv
import io
from datetime import date, time
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from planner.enums import SessionKind
from planner.extensions import db
from planner.followups.models import Product
from planner.results import comparisons, figures, records
from planner.results.comparisons import Dimension
from planner.results.periods import Period, PeriodKind
from planner.results.records import Narrowing, RecordList, Window
from tests import factories_followups as ff
from tests.test_results import OCTOBER_ARGS, held, office_filter, story  # noqa: F401 (fixture)

# Every test starts from the hand-counted October of tests/test_results.py.
pytestmark = pytest.mark.usefixtures("story")


def _more_history(office, officer, places, n: int, start: int = 0) -> None:
    """`n` more people, each at a session of their own in October, interested in voluntary SI."""
    for index in range(start, start + n):
        session = held(officer, places.commune, date(2026, 10, 2 + index % 12), time(9, 0))
        ff.attend(
            session,
            ff.person(office, f"Người {index:02d}", phone=f"+8491200{index:04d}"),
            vsi=True,
            signal=False,
        )
    db.session.commit()


def _items(f, which: RecordList, narrow: Narrowing, window: Window | None) -> list:
    if which.of_sessions:
        return records.sessions(f, which, narrow, window)
    if which.of_follow_ups:
        return records.follow_ups(f, which, narrow, window)
    if which == RecordList.ENROLMENTS:
        return records.enrolments(f, narrow, window)
    return records.people(f, which, narrow, window)


def _key(which: RecordList, item) -> int:
    if which.of_sessions:
        return item.id
    if which.of_follow_ups:
        return item.follow_up.id
    if which == RecordList.ENROLMENTS:
        return item.enrolment.id
    return item.person.id


@pytest.mark.parametrize("which", list(RecordList))
@pytest.mark.parametrize(
    "narrow",
    [Narrowing(), Narrowing(kind=SessionKind.MARKET), Narrowing(product=Product.VOLUNTARY_SI)],
    ids=["all", "market", "vsi"],
)
def test_a_list_read_page_by_page_is_the_whole_list_in_order(
    office, officer, places, which, narrow
):
    _more_history(office, officer, places, 5)
    f = office_filter(office)
    whole = [_key(which, i) for i in _items(f, which, narrow, None)]
    paged, page = [], 1
    while True:
        items, more = Window(page, 2).cut(_items(f, which, narrow, Window(page, 2)))
        paged += [_key(which, i) for i in items]
        if not more:
            break
        page += 1
    assert paged == whole
    assert len(set(whole)) == len(whole)


def test_the_lists_count_what_the_figures_count(office, officer, places):
    _more_history(office, officer, places, 3)
    f = office_filter(office)
    counted = figures.figures(f)
    everything = Narrowing()
    assert len(records.people(f, RecordList.REACHED, everything)) == counted.reached == 6
    assert len(records.people(f, RecordList.INTERESTED, everything)) == counted.interested == 5
    due = records.follow_ups(f, RecordList.FOLLOW_UPS_DUE, everything)
    on_time = records.follow_ups(f, RecordList.FOLLOW_UPS_ON_TIME, everything)
    assert len(due) == counted.follow_ups_due == 4
    assert [line.follow_up.person.full_name for line in on_time] == ["Giàng Thị Sua"]
    assert len(on_time) == counted.follow_ups_on_time == 1
    assert all(line.on_time for line in on_time)
    first_page = records.people(f, RecordList.REACHED, everything, Window(1, 2))
    assert [r.person.full_name for r in first_page] == ["Giàng Thị Sua", "Lý Thị Mẩy", "Người 00"]
    # A at S1, S2 and S4 (interested at S2); B at S1, interested.
    assert [(r.sessions, r.interested) for r in first_page[:2]] == [(3, True), (1, True)]


def test_a_list_page_links_to_the_next_and_the_download_has_every_row(
    supervisor_client, office, officer, places, monkeypatch
):
    _more_history(office, officer, places, 3)
    monkeypatch.setattr(records, "PER_PAGE", 2)
    first = supervisor_client.get("/results/records/reached", query_string=OCTOBER_ARGS)
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Giàng Thị Sua" in html and "Lý Thị Mẩy" in html and "Người 00" not in html
    assert "page=2" in html
    second = supervisor_client.get(
        "/results/records/reached", query_string={**OCTOBER_ARGS, "page": 2}
    ).get_data(as_text=True)
    assert "Người 00" in second and "Giàng Thị Sua" not in second and "page=1" in second
    last = supervisor_client.get(
        "/results/records/reached", query_string={**OCTOBER_ARGS, "page": 3}
    ).get_data(as_text=True)
    assert "page=4" not in last
    exported = supervisor_client.get(
        "/results/export/records_reached.csv", query_string=OCTOBER_ARGS
    ).get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert len(lines) == 1 + 6
    workbook = supervisor_client.get(
        "/results/export/records_reached.xlsx", query_string=OCTOBER_ARGS
    )
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    assert sheet.max_row == 1 + 6


def test_a_page_number_that_is_not_a_number_shows_the_first_page(supervisor_client):
    for page in ("abc", "-3", "0"):
        response = supervisor_client.get(
            "/results/records/reached", query_string={**OCTOBER_ARGS, "page": page}
        )
        assert response.status_code == 200
        assert "Giàng Thị Sua" in response.get_data(as_text=True)


def test_comparisons_shaped_for_speed_still_count_each_person_once(office, officer, places):
    _more_history(office, officer, places, 2)
    f = office_filter(office)
    total = figures.figures(f)
    for dimension in (Dimension.SEX, Dimension.ETHNICITY, Dimension.WEEK):
        rows = comparisons.breakdown(f, dimension).rows
        if dimension != Dimension.WEEK:  # a person has one sex and one ethnicity
            assert sum(r.reached for r in rows) == total.reached
            assert sum(r.interested for r in rows) == total.interested
    weeks = {r.key: r for r in comparisons.breakdown(f, Dimension.WEEK).rows}
    # Week of Monday 28 September: A at S4 (1 Oct local, 30 Sep in UTC), the two extra people
    # (2 and 3 Oct). Week of 5 October: A and B at S1. Week of 12 October: A and E at S2.
    assert weeks["2026-09-28"].reached == 3
    assert weeks["2026-10-05"].reached == 2
    assert weeks["2026-10-12"].reached == 2


def test_periods_counted_together_give_each_periods_own_figures(office, officer, places):
    """The dashboard counts a period and the one before in shared grouped queries; each must
    still be exactly what that period gives alone, and a day between two periods that do not
    touch belongs to neither."""
    _more_history(office, officer, places, 2)
    october = office_filter(office)
    november = office_filter(office, Period(date(2026, 11, 1), date(2026, 11, 30)))
    late_october = office_filter(office, Period(date(2026, 10, 10), date(2026, 10, 31)))
    september = office_filter(office, Period(date(2026, 9, 1), date(2026, 9, 30)))
    alone = [figures.figures(g) for g in (october, november)]
    assert figures.figures_of(october, [october.period, november.period]) == alone
    assert alone[0].reached == 5 and alone[0].sessions_held > 0
    assert alone[1].followed_up == 1  # F3's call on 1 November in Vietnam
    apart = [figures.figures(g) for g in (september, late_october)]
    assert figures.figures_of(october, [september.period, late_october.period]) == apart
    assert apart[1].reached < alone[0].reached
    november_view, before = figures.figures_with_previous(
        office_filter(office, Period(date(2026, 11, 1), date(2026, 11, 30), PeriodKind.MONTH))
    )
    assert (november_view, before) == (alone[1], alone[0])


PAGES = [
    *(f"/results/?period={p}" for p in ("week", "month", "quarter", "year")),
    "/results/",
    *(f"/results/compare/{d.value}" for d in Dimension),
    *(f"/results/records/{r.value}" for r in RecordList),
    *(f"/results/records/{r.value}?page=2" for r in RecordList),
    "/results/records/enrolments?kind=market&product=voluntary_si",
    "/results/where-next",
    "/results/targets",
    "/results/coverage",
    *(
        f"/results/export/{key}.{fmt}"
        for key in (
            "funnel",
            *(f"by_{d.value}" for d in Dimension),
            "targets",
            "coverage",
            "where_next",
            "overdue",
            *(f"records_{r.value}" for r in RecordList),
        )
        for fmt in ("xlsx", "csv")
    ),
]


@pytest.mark.parametrize("path", PAGES)
def test_every_results_page_and_export_runs_a_fixed_number_of_queries(
    supervisor_client, office, officer, places, count_queries, monkeypatch, path
):
    monkeypatch.setattr(records, "PER_PAGE", 2)
    args = {} if "period=" in path else OCTOBER_ARGS
    url = f"{path}{'&' if '?' in path else '?'}{urlencode(args)}" if args else path
    few = count_queries.page(supervisor_client, url)
    _more_history(office, officer, places, 12)
    assert count_queries.page(supervisor_client, url) == few


def test_where_next_shows_the_first_communes_as_cards_and_ranks_all_in_the_table(
    supervisor_client, office, monkeypatch
):
    from planner.places.models import Commune
    from planner.results.routes import pages

    for n in range(4):
        db.session.add(Commune(office_id=office.id, name=f"Xã Thử {n}"))
    db.session.commit()
    monkeypatch.setattr(pages, "WHERE_NEXT_CARDS", 2)
    html = supervisor_client.get("/results/where-next").get_data(as_text=True)
    assert html.count('<li class="card">') == 2
    assert "xếp hạng đủ 5 xã" in html
    for n in range(4):
        assert f"Xã Thử {n}" in html  # every commune is in the table
