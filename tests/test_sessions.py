"""Planning sessions through the pages an officer uses."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from planner.enums import SessionStatus
from planner.extensions import db
from planner.sessions.days import monday_of
from planner.sessions.models import OutreachSession, SessionSeries
from planner.timezones import to_local, today_local
from tests import factories

WEDNESDAY = date(2026, 12, 2)


def form(places, officer, **overrides):
    return factories.session_form(places, officer, day=overrides.pop("day", WEDNESDAY), **overrides)


def sessions():
    return db.session.scalars(sa.select(OutreachSession).order_by(OutreachSession.starts_at)).all()


def test_an_officer_plans_a_village_meeting(officer_client, officer, places):
    response = officer_client.post("/sessions/new", data=form(places, officer))
    assert response.status_code == 302
    [session] = sessions()
    assert session.title == "Họp thôn Na Hối"
    # the venue filled in its commune and village
    assert session.commune_id == places.commune.id
    assert session.village_id == places.village.id
    assert to_local(session.starts_at).isoformat() == "2026-12-02T19:00:00+07:00"
    assert session.starts_at.utcoffset() == timedelta(0)  # stored in UTC
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Họp thôn Na Hối" in page
    assert "Hội Liên hiệp Phụ nữ xã Bắc Hà" in page


def test_a_recurring_market_session_creates_every_occurrence(officer_client, officer, places):
    data = form(
        places,
        officer,
        kind="market",
        title="",
        venue_id=str(places.market.id),
        day="2026-12-06",
        start="07:30",
        end="11:00",
        repeat="weekly",
        weekdays="6",
        count="5",
    )
    response = officer_client.post("/sessions/new", data=data)
    assert response.status_code == 302
    planned = sessions()
    assert [to_local(s.starts_at).date() for s in planned] == [
        date(2026, 12, 6) + timedelta(weeks=i) for i in range(5)
    ]
    assert {s.series_id for s in planned} == {planned[0].series_id}
    assert db.session.scalar(sa.select(sa.func.count(SessionSeries.id))) == 1


def test_a_clash_is_shown_before_saving_and_can_be_accepted(
    officer_client, office, officer, places
):
    colleague = factories.user(office, username="pao", full_name="Giàng Seo Pao")
    factories.session(colleague, places.commune, day=WEDNESDAY, venue=places.house)
    db.session.commit()
    data = form(places, officer)
    warned = officer_client.post("/sessions/new", data=data)
    assert warned.status_code == 200
    text = warned.get_data(as_text=True)
    assert "Kiểm tra trước khi lưu" in text
    assert "Nhà văn hóa thôn Na Hối" in text
    assert len(sessions()) == 1  # nothing saved yet
    saved = officer_client.post("/sessions/new", data={**data, "save_anyway": "1"})
    assert saved.status_code == 302
    assert len(sessions()) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end": "18:00"}, "Buổi truyền thông phải kết thúc sau khi bắt đầu."),
        ({"repeat": "weekly", "weekdays": "2"}, "cần có ngày kết thúc"),
        ({"title": "x" * 201}, "Không được dài quá 200 ký tự."),
        ({"expected_attendance": "0"}, "Từ 1 đến 2.000 người."),
        ({"day": "2026-02-30"}, "Ngày"),
        ({"venue_id": "999999"}, "Lựa chọn không hợp lệ"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    officer_client, officer, places, overrides, message
):
    response = officer_client.post("/sessions/new", data=form(places, officer, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert sessions() == []


def test_a_venue_of_another_office_is_refused(officer_client, officer, places):
    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    foreign = factories.places(other)
    db.session.commit()
    response = officer_client.post(
        "/sessions/new", data=form(places, officer, venue_id=str(foreign.house.id))
    )
    assert response.status_code == 422
    assert sessions() == []


def test_another_offices_session_is_a_404(officer_client, places):
    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    stranger = factories.user(other, username="lc", full_name="Người Lai Châu")
    foreign = factories.places(other)
    session = factories.session(stranger, foreign.commune, day=WEDNESDAY)
    db.session.commit()
    for url in (f"/sessions/{session.id}", f"/sessions/{session.id}/edit"):
        assert officer_client.get(url).status_code == 404
    assert (
        officer_client.post(
            f"/sessions/{session.id}/status", data={"status": "cancelled", "reason": "x"}
        ).status_code
        == 404
    )
    assert officer_client.get("/sessions/424242").status_code == 404


def edit_form(client, session_id):
    """The edit form's current values, as a browser would send them back."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values, self.select = {}, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name"):
                if a.get("type") in ("checkbox", "radio"):
                    if "checked" in a:
                        self.values.setdefault(a["name"], a.get("value", "y"))
                else:
                    self.values[a["name"]] = a.get("value", "")
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and "selected" in a:
                self.values[self.select] = a.get("value")
            elif tag == "textarea":
                self.values[a["name"]] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    parser = Fields()
    parser.feed(client.get(f"/sessions/{session_id}/edit").get_data(as_text=True))
    return parser.values


def test_a_second_save_from_an_old_form_is_told_what_changed(
    app, officer_client, office, officer, places
):
    session = factories.session(officer, places.commune, day=WEDNESDAY, venue=places.house)
    db.session.commit()
    mine = edit_form(officer_client, session.id)
    # A colleague moves the session to 18:00 in the meantime.
    theirs = edit_form(officer_client, session.id)
    assert (
        officer_client.post(
            f"/sessions/{session.id}/edit", data={**theirs, "start": "18:00"}
        ).status_code
        == 302
    )
    response = officer_client.post(
        f"/sessions/{session.id}/edit", data={**mine, "expected_attendance": "45"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 409  # a conflict, shown with what changed
    assert "Người khác đã sửa buổi truyền thông này" in text
    assert "19:00 → 18:00" in text
    db.session.expire_all()
    assert db.session.get(OutreachSession, session.id).expected_attendance == 20
    # Saving again from the refreshed form is a deliberate choice and goes through.
    retry = edit_form_from_text(text)
    assert (
        officer_client.post(
            f"/sessions/{session.id}/edit",
            data={
                **mine,
                "version": retry["version"],
                "base": retry["base"],
                "expected_attendance": "45",
            },
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(OutreachSession, session.id).expected_attendance == 45


def edit_form_from_text(text):
    import re
    from html import unescape

    version = re.search(r'name="version" type="hidden" value="(\d+)"', text).group(1)
    base = unescape(re.search(r'name="base" type="hidden" value="([^"]*)"', text).group(1))
    return {"version": version, "base": base}


def test_changing_one_occurrence_leaves_the_series_alone(officer_client, officer, places):
    from planner.sessions.drafts import Recurrence

    first = factories.session(
        officer,
        places.commune,
        day=date(2026, 12, 6),
        venue=places.market,
        kind="market",
        recurrence=Recurrence("weekly", frozenset({6}), count=3),
    )
    db.session.commit()
    second = sessions()[1]
    values = edit_form(officer_client, second.id)
    response = officer_client.post(
        f"/sessions/{second.id}/edit",
        data={**values, "start": "09:00", "end": "11:00", "apply_to": "this", "save_anyway": "1"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    times = [to_local(s.starts_at).time() for s in sessions()]
    assert times == [time(19), time(9), time(19)]
    assert [s.detached for s in sessions()] == [False, True, False]
    assert first.series_id == second.series_id


def test_changing_the_series_moves_this_and_later_unchanged_occurrences(
    officer_client, officer, places
):
    from planner.sessions.drafts import Recurrence

    factories.session(
        officer,
        places.commune,
        day=date(2026, 12, 6),
        venue=places.market,
        kind="market",
        start=time(7, 30),
        end=time(11),
        recurrence=Recurrence("weekly", frozenset({6}), count=4),
    )
    db.session.commit()
    planned = sessions()
    values = edit_form(officer_client, planned[1].id)
    response = officer_client.post(
        f"/sessions/{planned[1].id}/edit",
        data={**values, "start": "08:00", "end": "11:30", "apply_to": "following"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    starts = [to_local(s.starts_at).strftime("%d/%m %H:%M") for s in sessions()]
    assert starts == ["06/12 07:30", "13/12 08:00", "20/12 08:00", "27/12 08:00"]
    assert [s.sequence for s in sessions()] == [0, 1, 1, 1]


def test_cancelling_needs_a_reason_and_raises_the_sequence(officer_client, officer, places):
    session = factories.session(officer, places.commune, day=WEDNESDAY)
    db.session.commit()
    refused = officer_client.post(
        f"/sessions/{session.id}/status",
        data={"status": "cancelled", "reason": ""},
        follow_redirects=True,
    )
    assert "Hãy cho biết vì sao" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OutreachSession, session.id).status == SessionStatus.PLANNED
    officer_client.post(
        f"/sessions/{session.id}/status",
        data={"status": "cancelled", "reason": "Mưa lũ, đường bị sạt"},
    )
    db.session.expire_all()
    cancelled = db.session.get(OutreachSession, session.id)
    assert cancelled.status == SessionStatus.CANCELLED
    assert cancelled.status_reason == "Mưa lũ, đường bị sạt"
    assert cancelled.sequence == 1


def test_cancelling_a_series_from_one_occurrence(officer_client, officer, places):
    from planner.sessions.drafts import Recurrence

    factories.session(
        officer,
        places.commune,
        day=date(2026, 12, 6),
        venue=places.market,
        kind="market",
        recurrence=Recurrence("weekly", frozenset({6}), count=4),
    )
    db.session.commit()
    planned = sessions()
    officer_client.post(
        f"/sessions/{planned[2].id}/status",
        data={"status": "cancelled", "reason": "Chợ nghỉ Tết", "series": "y"},
    )
    db.session.expire_all()
    assert [s.status.value for s in sessions()] == ["planned", "planned", "cancelled", "cancelled"]


def test_a_future_session_cannot_be_marked_held(officer_client, officer, places):
    session = factories.session(officer, places.commune, day=today_local() + timedelta(days=3))
    db.session.commit()
    officer_client.post(f"/sessions/{session.id}/status", data={"status": "held"})
    db.session.expire_all()
    assert db.session.get(OutreachSession, session.id).status == SessionStatus.PLANNED


def test_the_week_shows_my_sessions_by_day_with_lunar_dates(officer_client, officer, places):
    monday = monday_of(today_local())
    factories.session(
        officer, places.commune, day=monday + timedelta(days=2), title="Họp thôn tuần này"
    )
    factories.session(
        officer, places.commune, day=monday + timedelta(days=9), title="Họp thôn tuần sau"
    )
    db.session.commit()
    text = officer_client.get("/").get_data(as_text=True)
    assert "Họp thôn tuần này" in text
    assert "Họp thôn tuần sau" not in text
    assert "âm lịch" in text
    later = officer_client.get(f"/?week={(monday + timedelta(days=7)).isoformat()}")
    assert "Họp thôn tuần sau" in later.get_data(as_text=True)


def test_the_week_shows_a_holiday_and_its_lunar_date(officer_client):
    text = officer_client.get("/?week=2027-02-06").get_data(as_text=True)
    assert "Tết Nguyên Đán" in text
    assert "1/1 âm lịch" in text  # 6 February 2027 is the first day of the lunar year


def test_scopes_me_team_and_commune(client, office, places):
    team = factories.team(office)
    mai = factories.user(office, username="mai", full_name="Lý Thị Mai", team=team)
    pao = factories.user(office, username="pao", full_name="Giàng Seo Pao", team=team)
    toan = factories.user(office, username="toan", full_name="Hoàng Văn Toàn")
    monday = monday_of(today_local())
    factories.session(mai, places.commune, day=monday, title="Buổi của Mai")
    factories.session(pao, places.commune, day=monday + timedelta(days=1), title="Buổi của Pao")
    elsewhere = factories.places(office)
    elsewhere.commune.name = "Xuân Quang"
    factories.session(
        toan, elsewhere.commune, day=monday + timedelta(days=2), title="Buổi của Toàn"
    )
    db.session.commit()
    from tests.conftest import login

    login(client, mai)

    def titles(query):
        text = client.get(f"/?{query}").get_data(as_text=True)
        return {t for t in ("Buổi của Mai", "Buổi của Pao", "Buổi của Toàn") if t in text}

    assert titles("scope=me") == {"Buổi của Mai"}
    assert titles("scope=team") == {"Buổi của Mai", "Buổi của Pao"}
    assert titles("scope=office") == {"Buổi của Mai", "Buổi của Pao", "Buổi của Toàn"}
    assert titles(f"scope=commune&commune={elsewhere.commune.id}") == {"Buổi của Toàn"}


def test_bad_week_parameters_are_a_400_not_a_500(officer_client):
    assert officer_client.get("/?week=not-a-date").status_code == 400
    assert officer_client.get("/?scope=everyone").status_code == 400


def test_the_week_loads_in_a_fixed_number_of_queries(
    officer_client, officer, places, count_queries
):
    monday = monday_of(today_local())
    factories.session(officer, places.commune, day=monday, venue=places.house)
    db.session.commit()
    few = count_queries.page(officer_client, "/?scope=office")
    for offset in range(1, 7):
        colleague = factories.user(
            officer.office, username=f"u{offset}", full_name=f"Cán bộ {offset}"
        )
        factories.session(
            colleague,
            places.commune,
            day=monday + timedelta(days=offset),
            venue=places.market,
            facilitator_ids=[officer.id],
        )
    db.session.commit()
    assert count_queries.page(officer_client, "/?scope=office") == few
