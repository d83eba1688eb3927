"""A session knows its local time and its name, so no page converts or names it on its own."""

from datetime import date, time

from flask_babel import force_locale

from planner.enums import SessionKind
from planner.printing.facts import session_facts
from tests import factories


def test_a_late_session_is_on_the_next_day_in_vietnam(officer, places):
    # 06:30 local on 3 December is 23:30 UTC on 2 December.
    session = factories.session(
        officer, places.commune, day=date(2026, 12, 3), start=time(6, 30), end=time(8, 0)
    )
    assert session.starts_at.date() == date(2026, 12, 2)
    assert session.local_day == date(2026, 12, 3)
    assert (session.local_start.hour, session.local_end.hour) == (6, 8)


def test_a_session_without_title_is_called_by_its_kind(app, officer, places):
    session = factories.session(
        officer,
        places.commune,
        day=date(2026, 12, 6),
        venue=places.market,
        kind=SessionKind.MARKET,
        title="",
    )
    with force_locale("vi"):
        assert session.label == "Truyền thông tại chợ"
        assert session.label_with_place == "Truyền thông tại chợ – Chợ phiên Bắc Hà"
    session.title = "Chợ phiên tháng Chạp"
    assert session.label == session.label_with_place == "Chợ phiên tháng Chạp"


def test_printed_weekdays_are_vietnamese_even_on_an_english_screen(app, officer, places):
    session = factories.session(officer, places.commune, day=date(2026, 12, 6))
    with app.test_request_context(), force_locale("en"):
        assert session_facts(session).date_text == "Chủ Nhật, 06/12/2026"
