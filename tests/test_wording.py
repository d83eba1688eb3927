"""Wording and formats: every page in one date format, no raw stored values, the issue 14
wording, and one accent placement in every catalog."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask_babel import force_locale, gettext, ngettext

from planner import enums
from planner.followups import models as followups_models
from planner.people import models as people_models
from planner.readback import models as readback_models
from planner.sessions import models as sessions_models
from tests.conftest import login
from tests.pages_story import PRINT_JOB_ID, seed

CATALOGS = sorted(Path("planner/translations").glob("*/vi/LC_MESSAGES/messages.po"))
# Old-style tone placement on the second vowel of an open oa, oe or uy ("hoá", "xoá", "huỷ");
# "quý" is qu + ý and stays.
OLD_ACCENT = re.compile(r"(?<![Qq])(?:[oO][áàảãạ]|[oO][éèẻẽẹ]|[uU][ýỳỷỹỵ])(?!\w)")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SKIP = re.compile(
    r"^/static/|\.(pdf|ics|csv|xlsx|json|png|jpg|svg)$|/download|/export|/files/|/language/|/feed/|/logout"
)


def raw_values() -> set[str]:
    """Every stored value of a labelled vocabulary that is a word a page could leak."""
    values = set()
    for module in (enums, followups_models, people_models, readback_models, sessions_models):
        for item in vars(module).values():
            if isinstance(item, type) and issubclass(item, enums.LabelledEnum):
                values |= {m.value for m in item if len(m.value) > 3 and m.value.isascii()}
    return values


def visible_text(page: str) -> str:
    """What a person reads: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def walk(client, starts: list[str], limit: int = 80) -> dict[str, str]:
    """Every page reachable by links from `starts`, one per path shape, with its visible text."""
    queue, seen, texts = list(starts), set(), {}
    while queue and len(texts) < limit:
        url = queue.pop(0).split("#")[0]
        key = re.sub(r"/\d+", "/N", urlsplit(url).path)
        if key in seen:
            continue
        seen.add(key)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_data(as_text=True)
        texts[url] = visible_text(body)
        for href in re.findall(r'<a\b[^>]*?\shref="([^"]+)"', body):
            target = urljoin("http://planner.test" + url, html.unescape(href))
            parts = urlsplit(target)
            if parts.netloc == "planner.test" and not SKIP.search(parts.path):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return texts


@pytest.mark.parametrize("role", ["officer", "supervisor", "admin"])
def test_no_page_shows_an_iso_date_or_a_raw_stored_value(
    client, office, officer, supervisor, admin, places, role
):
    seed(office, officer, supervisor, places)
    login(client, {"officer": officer, "supervisor": supervisor, "admin": admin}[role])
    texts = walk(client, ["/", f"/printing/jobs/{PRINT_JOB_ID}"])
    assert len(texts) >= 15
    raw = re.compile(r"(?<![\w/.-])(" + "|".join(sorted(raw_values())) + r")(?![\w/.-])")
    assert raw.findall(visible_text("<td>household_hi</td><td>male</td>")) == [
        "household_hi",
        "male",
    ]
    found = []
    # User names are what people typed ("admin" is also a role's stored value).
    typed = re.compile("|".join(rf"\b{u.username}\b" for u in (officer, supervisor, admin)))
    for url, text in texts.items():
        text = typed.sub(" ", text)
        found += [f"{url}: ISO date {m}" for m in ISO_DATE.findall(text)]
        found += [f"{url}: raw value {m}" for m in raw.findall(text)]
    assert not found, "\n".join(found)


def test_every_catalog_writes_hoa_xoa_huy_the_new_way():
    for catalog in CATALOGS:
        for number, line in enumerate(catalog.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("msgstr"):
                assert not OLD_ACCENT.search(line), f"{catalog}:{number}: {line}"


def test_the_accent_check_catches_the_old_placement():
    assert OLD_ACCENT.search("Đã xoá người này")
    assert OLD_ACCENT.search("Buổi bị huỷ")
    assert not OLD_ACCENT.search("Đã xóa, bị hủy, nhà văn hóa, quý khách, điện thoại")


def test_the_vietnamese_quote_page_names_the_priority_groups_in_vietnamese(officer_client, rates):
    page = officer_client.get("/rates/quote").get_data(as_text=True)
    for label in ("Hộ nghèo", "Hộ cận nghèo", "Người dân tộc thiểu số", "Đối tượng khác"):
        assert f">{label}</option>" in page
    assert "Poor household" not in page and "Ethnic minority" not in page


WORDING = {
    "Enrolled": "Đã đăng ký tham gia",
    "What happened?": "Kết quả liên hệ",
    "Credited to": "Kết quả được tính cho",
    "Main credit": "Buổi được tính chính",
    "Also show my follow-ups": "Hiện cả lịch hẹn liên hệ lại người dân",
    "Making the PDF file…": "Đang tạo tệp PDF…",
    "I would like to know more about": "Bạn muốn tìm hiểu thêm về",
    "Not interested": "Chưa có nhu cầu",
    "Scan to contact us": "Quét mã để xem thêm thông tin",
    "Enrolled people": "Danh sách người đã đăng ký",
    "Open": "Đang theo dõi",
    "From member %(member)s on": "Từ người thứ %(member)s",
}


def test_the_issues_wording_table_is_applied(app):
    with app.test_request_context(), force_locale("vi"):
        for english, vietnamese in WORDING.items():
            assert gettext(english) == vietnamese
        done = ngettext(
            "Done – download it to print (%(num)s A4 page)",
            "Done – download it to print (%(num)s A4 pages)",
            16,
        )
        assert done == "Đã xong – tải về để in (16 trang A4)"


def test_a_weekly_series_says_how_it_repeats_and_between_which_days(
    officer_client, officer, places
):
    from datetime import date

    from planner.extensions import db
    from planner.sessions.drafts import Recurrence
    from tests import factories

    first = factories.session(
        officer,
        places.commune,
        day=date(2026, 12, 5),
        recurrence=Recurrence(rule="weekly", weekdays=frozenset({5}), count=8),
    )
    db.session.commit()
    page = officer_client.get(f"/sessions/{first.id}").get_data(as_text=True)
    assert "Hằng tuần vào Thứ Bảy, 8 buổi (05/12/2026 – 23/01/2027)" in page


def test_dates_and_moments_have_one_format_in_each_language(app):
    from datetime import UTC, date, datetime

    from planner.formats import shown_date, shown_moment, shown_money

    moment = datetime(2026, 11, 30, 19, 16, tzinfo=UTC)  # 02:16 on 1 December in Vietnam
    with app.test_request_context():
        with force_locale("vi"):
            assert shown_date(date(2026, 12, 4)) == "04/12/2026"
            assert shown_date(date(2026, 12, 4), "full") == "Thứ Sáu, 04/12/2026"
            assert shown_moment(moment) == "02:16 ngày 01/12/2026"
            assert shown_money(1_234_000) == "1.234.000 ₫"
        with force_locale("en"):
            assert shown_date(date(2026, 12, 4)) == "04/12/2026"
            assert shown_moment(moment) == "02:16, 01/12/2026"
            assert shown_money(1_234_000) == "1,234,000 ₫"


def test_the_office_is_called_one_name_everywhere():
    """An officer's own office is "đơn vị" on every page ("Cả đơn vị" on the week page and
    "Cả cơ quan" on follow-ups read as two different things); "cơ quan" stays only in the
    name of the agency itself ("cơ quan bảo hiểm xã hội", "cơ quan BHXH")."""
    from babel.messages.pofile import read_po

    catalogs = Path(__file__).resolve().parent.parent / "planner" / "translations"
    stray = []
    for po in catalogs.glob("*/vi/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            for message in read_po(f):
                texts = message.string if isinstance(message.string, tuple) else [message.string]
                for text in texts:
                    agency = re.sub(r"cơ quan (bảo hiểm xã hội|BHXH)", "", text or "")
                    if "cơ quan" in agency.lower():
                        stray.append((po.parent.parent.parent.name, text))
    assert stray == []
