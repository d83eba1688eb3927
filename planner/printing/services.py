"""The printed documents: what goes on each; sheet versions, talking points and settings."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import segno
import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from planner.accounts.models import Office, User
from planner.enums import Language, PriorityGroup, SessionStatus, Topic
from planner.errors import PlannerError
from planner.extensions import db
from planner.people.models import Attendance, Person
from planner.phones import display_phone, mask_phone
from planner.printing import render
from planner.printing.markup import render_markup
from planner.printing.models import PrintSettings, SheetVersion, TalkingPoint
from planner.rates.services import (
    PAYMENT_MONTHS,
    household_hi_quote,
    rates_in_force,
    voluntary_si_limits,
    voluntary_si_quote,
)
from planner.sessions.models import OutreachSession
from planner.sessions.services import week_sessions
from planner.timezones import now_utc, to_local

FLYER_LAYOUTS = ("a4", "a5x2")
HI_MEMBERS_ON_FLYER = 5
# Flyer bodies are rendered ahead for sessions this many days out (see prepare_flyer_body).
PREPARE_DAYS = 56


@functools.lru_cache(maxsize=256)
def _qr_data_uri(content: str, error: str, module_mm: float, border: int) -> str:
    """An SVG QR code as a data: image, sized in millimetres so a module has a known size."""
    qr = segno.make(content, error=error, micro=False)
    return qr.svg_data_uri(scale=module_mm, unit="mm", border=border, dark="#000", light="#fff")


# --- Print settings -------------------------------------------------------------------------


def print_settings(office_id: int) -> PrintSettings:
    """The office's settings, or the defaults (not saved) when it never changed them."""
    settings = db.session.get(PrintSettings, office_id)
    if settings is None:
        settings = PrintSettings(
            office_id=office_id,
            flyer_layout="a5x2",
            hidden_columns="",
            spare_rows=5,
            mask_phones=True,
        )
    return settings


def save_print_settings(
    office_id: int,
    flyer_layout: str,
    hidden_columns: list[str],
    spare_rows: int,
    mask_phones: bool = True,
) -> PrintSettings:
    """Change how an office prints; unknown or required columns cannot be hidden."""
    if flyer_layout not in FLYER_LAYOUTS:
        raise PlannerError(_("Choose A4 or two A5 flyers per sheet."), field="flyer_layout")
    hideable = {c.key for c in SHEET_COLUMNS if c.hideable}
    if not set(hidden_columns) <= hideable:
        raise PlannerError(_("That column cannot be hidden."), field="hidden_columns")
    if not 0 <= spare_rows <= 50:
        raise PlannerError(_("Spare rows must be between 0 and 50."), field="spare_rows")
    settings = db.session.get(PrintSettings, office_id)
    if settings is None:
        settings = PrintSettings(office_id=office_id)
        db.session.add(settings)
    settings.flyer_layout = flyer_layout
    settings.hidden_columns = ",".join(c.key for c in SHEET_COLUMNS if c.key in hidden_columns)
    settings.spare_rows = spare_rows
    settings.mask_phones = mask_phones
    return settings


# --- Talking points -------------------------------------------------------------------------

DEFAULT_TALKING_POINTS_DIR = Path(__file__).with_name("default_talking_points")
TALKING_POINT_TOPICS = (Topic.VOLUNTARY_SI, Topic.HOUSEHOLD_HI)
MAX_TALKING_POINT_LENGTH = 4000


def seed_talking_points() -> int:
    """Add the shipped Vietnamese talking points that are missing; returns how many were added."""
    added = 0
    for path in sorted(DEFAULT_TALKING_POINTS_DIR.glob("*.txt")):
        topic_value, language_value = path.stem.split(".")
        topic, language = Topic(topic_value), Language(language_value)
        exists = db.session.scalar(
            sa.select(TalkingPoint.id).where(
                TalkingPoint.office_id.is_(None),
                TalkingPoint.topic == topic,
                TalkingPoint.language == language,
            )
        )
        if exists is None:
            body = path.read_text(encoding="utf-8").strip()
            db.session.add(TalkingPoint(office_id=None, topic=topic, language=language, body=body))
            added += 1
    db.session.flush()
    return added


def talking_points(
    office_id: int, topics: Sequence[Topic], languages: Sequence[Language]
) -> dict[tuple[Topic, Language], TalkingPoint]:
    """For each topic and language: the office's own text, else the shipped default; pairs
    with neither (or only an empty text) are missing. One query."""
    rows = db.session.scalars(
        sa.select(TalkingPoint)
        .where(
            TalkingPoint.topic.in_(topics),
            TalkingPoint.language.in_(languages),
            sa.or_(TalkingPoint.office_id == office_id, TalkingPoint.office_id.is_(None)),
        )
        # The shipped default first, so the office's own text replaces it.
        .order_by(TalkingPoint.office_id.is_not(None))
    ).all()
    chosen = {(row.topic, row.language): row for row in rows}
    return {pair: row for pair, row in chosen.items() if row.body.strip()}


def talking_point(office_id: int, topic: Topic, language: Language) -> TalkingPoint | None:
    """The office's own text for a topic and language, else the shipped default, else None."""
    return talking_points(office_id, [topic], [language]).get((topic, language))


def save_talking_point(
    office_id: int, topic: Topic, language: Language, body: str, user: User
) -> TalkingPoint:
    """Store an office's text for a topic and language (an empty text falls back to the default)."""
    if topic not in TALKING_POINT_TOPICS:
        raise PlannerError(_("Choose one topic."), field="topic")
    body = (body or "").strip()
    if len(body) > MAX_TALKING_POINT_LENGTH:
        raise PlannerError(
            _("Keep talking points under %(n)s characters.", n=MAX_TALKING_POINT_LENGTH),
            field="body",
        )
    record = db.session.scalar(
        sa.select(TalkingPoint).where(
            TalkingPoint.office_id == office_id,
            TalkingPoint.topic == topic,
            TalkingPoint.language == language,
        )
    )
    if record is None:
        record = TalkingPoint(office_id=office_id, topic=topic, language=language)
        db.session.add(record)
    record.body = body
    record.updated_by_id = user.id
    db.session.flush()
    return record


def session_topics(topic: Topic) -> tuple[Topic, ...]:
    return TALKING_POINT_TOPICS if topic == Topic.BOTH else (topic,)


# --- Shared document context ----------------------------------------------------------------


def _officer_line(user: User) -> str:
    phone = display_phone(user.phone) if user.phone else ""
    return f"{user.full_name} – {phone}" if phone else user.full_name


def _place_line(session: OutreachSession) -> str:
    parts = []
    if session.venue is not None:
        parts.append(session.venue.name)
        if session.venue.address:
            parts.append(session.venue.address)
    if session.village is not None:
        parts.append(session.village.display_name)
    parts.append(session.commune.display_name)
    return ", ".join(dict.fromkeys(parts))


def session_facts(session: OutreachSession) -> dict:
    """The details every document prints about a session, as local, ready-to-print text."""
    starts, ends = to_local(session.starts_at), to_local(session.ends_at)
    weekday = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"][
        starts.weekday()
    ]
    return {
        "day": starts.date(),
        "date_text": f"{weekday}, {starts:%d/%m/%Y}",
        "time_text": f"{starts:%H:%M} – {ends:%H:%M}",
        "place": _place_line(session),
        "officer": _officer_line(session.lead_officer),
        "officers": ", ".join(u.full_name for u in session.officers),
        "partner": session.partner.name if session.partner else "",
        "kind": session.kind.label,
        "topic": session.topic.label,
        "title": session.title,
    }


def _render(template: str, **context) -> str:
    """Printed matter is in Vietnamese whatever language the screen is in."""
    with force_locale("vi"):
        return render_template(f"pdf/{template}.html", **context)


# --- Flyer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCost:
    group: PriorityGroup
    label: str
    contribution: int
    state_support: int
    person_pays: int
    support_pct: str


def flyer_costs(on: date, office_id: int) -> dict:
    """Voluntary SI at the minimum income for each group, and household HI for 1 to 5 members."""
    low, _high = voluntary_si_limits(on)
    groups = []
    with force_locale("vi"):
        for group in PriorityGroup:
            quote = voluntary_si_quote(on, low, group, 1, office_id)
            groups.append(
                GroupCost(
                    group=group,
                    label=str(group.label),
                    contribution=quote.monthly_contribution,
                    state_support=quote.monthly_state_support + quote.monthly_province_support,
                    person_pays=quote.monthly_person_pays,
                    support_pct=_percent(quote.support_pct + quote.province_support_pct),
                )
            )
    household = household_hi_quote(on, HI_MEMBERS_ON_FLYER, 12)
    members = [
        {
            "number": n,
            "monthly": amount,
            "yearly": amount * 12,
            "household_yearly": sum(household.monthly_by_member[:n]) * 12,
        }
        for n, amount in enumerate(household.monthly_by_member, start=1)
    ]
    return {"min_income": low, "groups": groups, "members": members}


def _percent(value) -> str:
    text = f"{value:f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _talking_texts(session: OutreachSession) -> list[dict]:
    """Per topic: the Vietnamese text and, when the session is in another language, that
    text, as the admin typed them."""
    topics = session_topics(session.topic)
    points = talking_points(session.office_id, topics, {Language.VIETNAMESE, session.language})
    texts = []
    for topic in topics:
        vietnamese = points.get((topic, Language.VIETNAMESE))
        other = None
        if session.language != Language.VIETNAMESE:
            other = points.get((topic, session.language))
        texts.append(
            {
                "topic": topic.value,
                "vi": vietnamese.body if vietnamese else None,
                "other": other.body if other else None,
            }
        )
    return texts


def rates_since(on: date, office_id: int) -> date:
    """The day the rates in force on `on` took effect (the latest change up to then)."""
    figures = [*rates_in_force(on).values(), *rates_in_force(on, office_id).values()]
    return max((valid_from for valid_from, _value in figures), default=on)


def flyer_body_inputs(session: OutreachSession, flyer_layout: str, texts: list[dict]) -> dict:
    """Everything the flyer's body depends on: the office, the talking points, the language,
    the rates in force and the layout. Sessions that share them share one body.

    Costs are worked out from the rates when the body is rendered, on the day those rates
    took effect (the same figures as on the session's day).
    """
    office: Office = db.session.get(Office, session.office_id)
    day = to_local(session.starts_at).date()
    national, own = rates_in_force(day), rates_in_force(day, session.office_id)
    bilingual = _bilingual(texts)
    return {
        "office_id": office.id,
        "office_name": office.name,
        "qr_link": (office.contact_link or "").strip(),
        "texts": texts,
        # Only what prints: a language without talking points of its own shares the
        # Vietnamese body.
        "second_language": session.language.value if bilingual else None,
        "rates": {key: str(value) for key, (_since, value) in sorted(national.items())},
        "office_rates": {key: str(value) for key, (_since, value) in sorted(own.items())},
        "rates_since": rates_since(day, session.office_id).isoformat(),
        "flyer_layout": flyer_layout,
    }


def flyer_body_html(inputs: dict) -> str:
    """The body's HTML: talking points, costs and the box the session's details go in."""
    since = date.fromisoformat(inputs["rates_since"])
    link = inputs["qr_link"]
    blocks = [
        {
            "topic": Topic(text["topic"]),
            "vi": render_markup(text["vi"]) if text["vi"] else None,
            "other": render_markup(text["other"]) if text["other"] else None,
        }
        for text in inputs["texts"]
    ]
    second = inputs["second_language"]
    return _render(
        "flyer",
        office_name=inputs["office_name"],
        costs=flyer_costs(since, inputs["office_id"]),
        rates_since=since,
        blocks=blocks,
        bilingual=bool(second),
        second_language=Language(second).label if second else None,
        flyer_layout=inputs["flyer_layout"],
        qr=_qr_data_uri(link, "m", 0.6, 2) if link else None,
    )


def _bilingual(texts: list[dict]) -> bool:
    """A second language is printed beside Vietnamese (at a smaller size)."""
    return any(text["other"] for text in texts)


FLYER_FITS = ("", "tight", "cut")


def flyer_layer_html(session: OutreachSession, body: dict, box: dict, fit: str = "") -> str:
    """The session's title, time, place and officer, placed over the box of its body (made
    from `body`, the body's inputs).

    It takes the body's font size (bilingual, one topic), so the details fit the box left
    for them; `fit` prints them smaller ("tight"), or smaller and cut at the box ("cut").
    """
    return _render(
        "flyer_layer",
        facts=session_facts(session),
        qr=bool(body["qr_link"]),
        flyer_layout=body["flyer_layout"],
        box=box,
        bilingual=_bilingual(body["texts"]),
        one_topic=len(body["texts"]) == 1,
        fit=fit,
    )


def flyer_html(session: OutreachSession, flyer_layout: str | None = None) -> str:
    """Both parts of the flyer's HTML, as printed (for reading and for tests)."""
    flyer_layout = flyer_layout or print_settings(session.office_id).flyer_layout
    body = flyer_body_inputs(session, flyer_layout, _talking_texts(session))
    box = {"left": 0, "top": 0, "width": 100, "height": 100}
    return flyer_body_html(body) + flyer_layer_html(session, body, box)


def _flyer_body_key(inputs: dict) -> str:
    # Keyed by what the body depends on rather than by its HTML, so a session's flyer finds
    # its prepared body without rendering the template (render.cache_key adds the templates,
    # translations and code).
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False)
    return render.cache_key("flyer body sheet", text, *FLYER_STYLES)


def _flyer_body(inputs: dict) -> tuple[str, bytes, dict]:
    """The body's PDF (two to a sheet for A5) and where its details box landed, rendered once
    per distinct body."""
    key = _flyer_body_key(inputs)
    pdf, meta = render.cached(key), render.cached_meta(key)
    if pdf is None or meta is None:
        document = render.layout(flyer_body_html(inputs), FLYER_STYLES)
        left, top, right, bottom = document.pages[0].anchors["when"]
        meta = {"left": left, "top": top, "width": right - left, "height": bottom - top}
        pdf = render.write_pdf(document)
        if inputs["flyer_layout"] == "a5x2":
            pdf = render.two_up(pdf)
        render.store(key, pdf)
        render.store_meta(key, meta)
    return key, pdf, meta


def flyer_pdf(session: OutreachSession) -> tuple[str, bytes]:
    """The flyer as PDF (A5 ones two to an A4 sheet), from the cache when nothing changed.

    The body (talking points, costs) is shared between sessions; each session only lays out
    its own details, printed over the body's first page.
    """
    flyer_layout = print_settings(session.office_id).flyer_layout
    inputs = flyer_body_inputs(session, flyer_layout, _talking_texts(session))
    body_key, body, box = _flyer_body(inputs)
    layer_html = flyer_layer_html(session, inputs, box)
    key = render.cache_key(body_key, layer_html, *FLYER_LAYER_STYLES)
    pdf = render.cached(key)
    if pdf is None:
        document = render.layout(layer_html, FLYER_LAYER_STYLES)
        for fit in FLYER_FITS[1:]:
            if document.pages[0].anchors["details"][3] <= box["top"] + box["height"]:
                break
            # Long details (a long place name): smaller, and cut at the box only when even
            # that overflows, so they never print over the talking points.
            document = render.layout(
                flyer_layer_html(session, inputs, box, fit=fit), FLYER_LAYER_STYLES
            )
        pdf = render.overlay(body, render.write_pdf(document), two_up=flyer_layout == "a5x2")
        render.store(key, pdf)
    return key, pdf


def _session_body_key(session: OutreachSession) -> str:
    flyer_layout = print_settings(session.office_id).flyer_layout
    return _flyer_body_key(flyer_body_inputs(session, flyer_layout, _talking_texts(session)))


def _body_ready(key: str) -> bool:
    return render.cached_meta(key) is not None and render.cache_path(key).exists()


def flyer_body_ready(session: OutreachSession) -> bool:
    """Whether the session's flyer body is already rendered (its flyer then costs one layer)."""
    return _body_ready(_session_body_key(session))


def flyer_bodies_to_prepare(office_id: int, days: int = PREPARE_DAYS) -> list[OutreachSession]:
    """One planned session for each flyer body the coming `days` need and nobody rendered yet.

    Bodies depend on the topics, the language and the rates in force, so a whole season of
    market days on one topic needs one body.
    """
    start = now_utc()
    sessions = db.session.scalars(
        sa.select(OutreachSession)
        .where(
            OutreachSession.office_id == office_id,
            OutreachSession.status == SessionStatus.PLANNED,
            OutreachSession.starts_at >= start,
            OutreachSession.starts_at < start + timedelta(days=days),
        )
        .order_by(OutreachSession.starts_at)
    ).all()
    since: dict[date, date] = {}
    kinds: dict[tuple, OutreachSession] = {}
    for session in sessions:
        day = to_local(session.starts_at).date()
        if day not in since:
            since[day] = rates_since(day, office_id)
        kinds.setdefault((session.topic, session.language, since[day]), session)
    # Languages without talking points of their own print the Vietnamese body: one per key.
    bodies: dict[str, OutreachSession] = {}
    for session in kinds.values():
        key = _session_body_key(session)
        if key not in bodies and not _body_ready(key):
            bodies[key] = session
    return list(bodies.values())


def prepare_flyer_body(session: OutreachSession) -> None:
    """Render the session's flyer body into the cache, so its flyer prints at once."""
    flyer_layout = print_settings(session.office_id).flyer_layout
    _flyer_body(flyer_body_inputs(session, flyer_layout, _talking_texts(session)))


FLYER_STYLES = ("base", "flyer_page", "flyer")
FLYER_LAYER_STYLES = ("base", "flyer_page", "flyer_layer")
SHEET_STYLES = ("base", "attendance_sheet")
QUOTE_STYLES = ("base", "quote_sheet")
WEEK_STYLES = ("base", "week_plan")


# --- Attendance sheet -----------------------------------------------------------------------


@dataclass(frozen=True)
class SheetColumn:
    key: str
    label: str
    width_mm: float | None  # None: takes the width left over (the name)
    tick: bool = False
    hideable: bool = True


SHEET_COLUMNS = (
    SheetColumn("number", _l("No."), 7, hideable=False),
    SheetColumn("full_name", _l("Full name"), None, hideable=False),
    SheetColumn("birth_year", _l("Year of birth"), 10),
    SheetColumn("gender", _l("Gender"), 8),
    SheetColumn("ethnicity", _l("Ethnicity"), 12),
    SheetColumn("village", _l("Village"), 15),
    SheetColumn("phone", _l("Phone"), 19),
    SheetColumn("occupation", _l("Occupation"), 13),
    SheetColumn("priority_group", _l("Priority group"), 13),
    # Tick boxes: 6 mm boxes centred in 21 mm columns leave 15 mm of white between boxes.
    SheetColumn("has_hi", _l("Has a health insurance card"), 21, tick=True),
    SheetColumn("wants_vsi", _l("Interested in voluntary SI"), 21, tick=True),
    SheetColumn("wants_hhi", _l("Interested in household HI"), 21, tick=True),
    SheetColumn("registered", _l("Registered on the spot"), 21, tick=True),
    # Notes sit between the boxes and the signature, so a signature never spills into a box.
    SheetColumn("notes", _l("Notes"), 11),
    SheetColumn("signature", _l("Signature or thumbprint"), 30, hideable=False),
)
TICK_COLUMNS = tuple(c.key for c in SHEET_COLUMNS if c.tick)

# The sheet's geometry in millimetres (A4 landscape). Rows are paginated here, not by the
# renderer, so every page's boxes sit where the stored layout says they do.
PAGE_W, PAGE_H = 297, 210
MARGIN = 22  # corner markers sit 10-18 mm from the edge, with white around them
MARKER_INSET, MARKER_SIZE = 10, 8
CONTENT_H = PAGE_H - 2 * MARGIN - 1  # a millimetre of slack, so rounding never adds a page
BAND_H = 27  # office, motto, QR code and page number: on every page
DETAILS_H = 22  # the session's details: first page only
HEAD_H = 13  # the column headings: on every page
ROW_H = 9
FOOTER_H = 42  # totals and signature blocks: after the last row
TICK_MM = 6
TICK_STROKE = 0.4  # tick box border, inside its 6 mm
RULE_STROKE = 0.2
FOOTER_GAP = 3
QR_MODULE_MM = 1.0
FIRST_PAGE_ROWS = (CONTENT_H - BAND_H - DETAILS_H - HEAD_H) // ROW_H
PAGE_ROWS = (CONTENT_H - BAND_H - HEAD_H) // ROW_H


@dataclass
class SheetPerson:
    """A row printed before the meeting: someone invited or already known to the office."""

    full_name: str
    birth_year: int | None = None
    gender: str = ""
    ethnicity: str = ""
    village: str = ""
    phone: str = ""
    occupation: str = ""
    priority_group: str = ""
    has_hi: bool | None = None


@dataclass
class SheetPage:
    number: int
    first_row: int  # 1-based number of its first row
    rows: list[SheetPerson | None] = field(default_factory=list)
    has_table: bool = True
    has_footer: bool = False


def plan_sheet_pages(people: list[SheetPerson | None]) -> list[SheetPage]:
    """Split rows into pages; the totals and signatures go after the last row, on a new page
    only when they do not fit under it."""
    pages: list[SheetPage] = []
    index = 0
    while True:
        capacity = FIRST_PAGE_ROWS if not pages else PAGE_ROWS
        chunk = people[index : index + capacity]
        pages.append(SheetPage(number=len(pages) + 1, first_row=index + 1, rows=chunk))
        index += len(chunk)
        if index >= len(people):
            break
    last = pages[-1]
    used = BAND_H + (DETAILS_H if last.number == 1 else 0) + HEAD_H + ROW_H * len(last.rows)
    if CONTENT_H - used >= FOOTER_H:
        last.has_footer = True
    else:
        pages.append(
            SheetPage(number=len(pages) + 1, first_row=index + 1, has_table=False, has_footer=True)
        )
    return pages


def sheet_rows(invited: list[SheetPerson], expected: int, spare: int) -> list[SheetPerson | None]:
    """Invited people first, then blank rows up to the expected attendance plus spare rows."""
    blanks = max(expected - len(invited), 0) + spare
    return [*invited, *([None] * blanks)]


def invited_people(session: OutreachSession, masked: bool = True) -> list[SheetPerson]:
    """People already linked to the session (an imported invitation list), to pre-fill rows;
    `masked` prints their phone numbers with only the first and last three digits."""
    people = db.session.scalars(
        sa.select(Person)
        .join(Attendance, Attendance.person_id == Person.id)
        .where(
            Attendance.session_id == session.id,
            Attendance.office_id == session.office_id,
            Person.erased_at.is_(None),
        )
        .options(selectinload(Person.village))
        .order_by(Person.full_name)
    ).all()
    shown = mask_phone if masked else display_phone
    with force_locale("vi"):
        return [
            SheetPerson(
                full_name=p.full_name,
                birth_year=p.birth_year,
                gender=str(p.gender.label) if p.gender else "",
                ethnicity=p.ethnicity,
                village=p.village.name if p.village else "",
                phone=shown(p.phone) if p.phone else "",
                occupation=p.occupation,
                priority_group=str(p.priority_group.label),
                has_hi=p.has_health_insurance,
            )
            for p in people
        ]


def sheet_code(session_id: int, version: int, page: int) -> str:
    """The short id on each page: session, sheet version and page (QR alphanumeric mode)."""
    return f"PL-{session_id}-{version}-{page}"


def parse_sheet_code(code: str) -> tuple[int, int, int]:
    """Read a page's code back into (session id, version, page)."""
    prefix, *numbers = code.strip().upper().split("-")
    if prefix != "PL" or len(numbers) != 3 or not all(n.isdigit() for n in numbers):
        raise PlannerError(_("That is not an attendance sheet code."), code="bad_sheet_code")
    session_id, version, page = (int(n) for n in numbers)
    return session_id, version, page


@dataclass(frozen=True)
class PlacedColumn:
    """A sheet column at its place across the page, in millimetres from the paper's left edge."""

    column: SheetColumn
    left: float
    width: float

    @property
    def key(self) -> str:
        return self.column.key


def place_columns(hidden: set[str] | frozenset[str] = frozenset()) -> list[PlacedColumn]:
    """The visible columns left to right; the name column takes the width the others leave."""
    columns = [c for c in SHEET_COLUMNS if c.key not in hidden]
    free = PAGE_W - 2 * MARGIN - sum(c.width_mm or 0 for c in columns)
    placed, left = [], float(MARGIN)
    for column in columns:
        width = float(column.width_mm or free)
        placed.append(PlacedColumn(column, round(left, 2), round(width, 2)))
        left += width
    return placed


def _table_top(page: SheetPage) -> float:
    return MARGIN + BAND_H + (DETAILS_H if page.number == 1 else 0)


def _row_top(page: SheetPage, index: int) -> float:
    return _table_top(page) + HEAD_H + ROW_H * index


def _tick_box(placed: PlacedColumn, row_top: float) -> dict:
    return {
        "x": round(placed.left + (placed.width - TICK_MM) / 2, 2),
        "y": round(row_top + (ROW_H - TICK_MM) / 2, 2),
        "w": TICK_MM,
        "h": TICK_MM,
    }


def _markers() -> list[dict]:
    far_x, far_y = PAGE_W - MARKER_INSET - MARKER_SIZE, PAGE_H - MARKER_INSET - MARKER_SIZE
    spots = {"tl": (MARKER_INSET, MARKER_INSET), "tr": (far_x, MARKER_INSET)}
    spots |= {"bl": (MARKER_INSET, far_y), "br": (far_x, far_y)}
    size = MARKER_SIZE
    return [{"corner": c, "x": x, "y": y, "w": size, "h": size} for c, (x, y) in spots.items()]


@functools.lru_cache(maxsize=512)
def _sheet_qr_code(code: str) -> segno.QRCode:
    return segno.make(code, error="q", micro=False)


def _qr_box(code: str) -> dict:
    """The QR code's square at the top right, sized so one module is QR_MODULE_MM."""
    width, _height = _sheet_qr_code(code).symbol_size(scale=1, border=2)
    size = width * QR_MODULE_MM
    return {"x": PAGE_W - MARGIN - size, "y": float(MARGIN), "w": size, "h": size}


def _grid_svg(columns: tuple[PlacedColumn, ...], table_top: float, rows: int) -> str:
    """Corner markers, table rules and tick boxes of one page, as an SVG the fetcher serves.

    The same grid serves every sheet with the same columns and rows, so WeasyPrint parses it
    once (render keeps images between renders); only the text differs between sessions.
    """
    parts = [
        f'<rect x="{m["x"]}" y="{m["y"]}" width="{m["w"]}" height="{m["h"]}"/>' for m in _markers()
    ]
    if columns:
        bottom = table_top + HEAD_H + ROW_H * rows
        edges = [c.left for c in columns] + [columns[-1].left + columns[-1].width]
        rules = [f"M{x:g} {table_top:g}V{bottom:g}" for x in edges]
        ys = [table_top] + [table_top + HEAD_H + ROW_H * i for i in range(rows + 1)]
        rules += [f"M{MARGIN:g} {y:g}H{PAGE_W - MARGIN:g}" for y in ys]
        inset = TICK_STROKE / 2
        boxes = [
            f"M{b['x'] + inset:g} {b['y'] + inset:g}h{TICK_MM - TICK_STROKE:g}"
            f"v{TICK_MM - TICK_STROKE:g}h{TICK_STROKE - TICK_MM:g}z"
            for i in range(rows)
            for c in columns
            if c.column.tick
            for b in [_tick_box(c, table_top + HEAD_H + ROW_H * i)]
        ]
        parts.append(
            f'<path d="{"".join(rules)}" fill="none" stroke="#000" stroke-width="{RULE_STROKE}"/>'
        )
        if boxes:
            parts.append(
                f'<path d="{"".join(boxes)}" fill="none" stroke="#000" '
                f'stroke-width="{TICK_STROKE}"/>'
            )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" '
        f'viewBox="0 0 {PAGE_W} {PAGE_H}">{"".join(parts)}</svg>'
    )
    return render.generated_svg(svg)


def _sheet_qr(code: str) -> str:
    """The page's QR code as a PNG of one pixel per module, drawn without smoothing."""
    return _sheet_qr_code(code).png_data_uri(scale=1, border=2)


def sheet_html(
    session: OutreachSession,
    people: list[SheetPerson | None],
    version: int,
    hidden: set[str] = frozenset(),
) -> str:
    """The attendance sheet's HTML for one version number.

    Everything sits at a computed place in millimetres, so the stored layout is where the ink
    is; rows are paginated here, not by the renderer.
    """
    office = db.session.get(Office, session.office_id)
    columns = place_columns(hidden)
    pages = plan_sheet_pages(people)
    codes = [sheet_code(session.id, version, p.number) for p in pages]
    printed_pages = []
    for page, code in zip(pages, codes, strict=True):
        top = _table_top(page)
        rows = []
        for index, person in enumerate(page.rows):
            cells = []
            for c in columns:
                if c.key == "number":
                    cells.append((c, str(page.first_row + index)))
                elif person is not None and c.column.tick:
                    if c.key == "has_hi" and person.has_hi:
                        cells.append((c, "✓"))
                elif person is not None and c.key not in ("signature", "notes"):
                    value = getattr(person, c.key)
                    if value not in (None, ""):
                        cells.append((c, str(value)))
            rows.append({"top": _row_top(page, index), "cells": cells})
        table_bottom = top + HEAD_H + ROW_H * len(page.rows) if page.has_table else MARGIN + BAND_H
        printed_pages.append(
            {
                "page": page,
                "code": code,
                "qr": _sheet_qr(code),
                "qr_box": _qr_box(code),
                "grid": _grid_svg(tuple(columns) if page.has_table else (), top, len(page.rows)),
                "table_top": top,
                "rows": rows,
                "footer_top": table_bottom + FOOTER_GAP,
            }
        )
    return _render(
        "attendance_sheet",
        session=session,
        office=office,
        facts=session_facts(session),
        columns=columns,
        pages=printed_pages,
        page_count=len(pages),
        invited_count=sum(1 for p in people if p is not None),
        g={
            "margin": MARGIN,
            "band": BAND_H,
            "head": HEAD_H,
            "row": ROW_H,
            "tick": TICK_MM,
            "content_w": PAGE_W - 2 * MARGIN,
        },
    )


def sheet_layout(sheet_pages: list[SheetPage], session_id: int, version: int, hidden) -> dict:
    """Where the markers, QR codes and tick boxes are on each page, in millimetres."""
    columns = place_columns(hidden)
    ticks = [c for c in columns if c.column.tick]
    pages = []
    for page in sheet_pages:
        code = sheet_code(session_id, version, page.number)
        boxes = []
        if page.has_table:
            for index in range(len(page.rows)):
                row = page.first_row + index
                top = _row_top(page, index)
                boxes += [{"row": row, "column": c.key, **_tick_box(c, top)} for c in ticks]
        pages.append(
            {
                "page": page.number,
                "code": code,
                "markers": _markers(),
                "qr": _qr_box(code),
                "boxes": boxes,
            }
        )
    return {
        "unit": "mm",
        "paper": {"width": PAGE_W, "height": PAGE_H},
        "session_id": session_id,
        "version": version,
        "pages": pages,
    }


def _sheet_content_hash(session: OutreachSession, people: list, hidden: set[str]) -> str:
    """What a sheet prints, without its version number: equal hashes mean the same sheet."""
    office = db.session.get(Office, session.office_id)
    content = {
        "session": session.id,
        "office": office.name,
        "facts": session_facts(session),
        "hidden": sorted(hidden),
        "people": [dataclasses.asdict(p) if p is not None else None for p in people],
    }
    return render.cache_key(json.dumps(content, default=str, sort_keys=True), *SHEET_STYLES)


def attendance_sheet(
    session: OutreachSession,
    invited: list[SheetPerson] | None = None,
    user: User | None = None,
) -> tuple[SheetVersion, bytes]:
    """The sheet as PDF and its version; an unchanged sheet keeps its version and its file."""
    settings = print_settings(session.office_id)
    if invited is None:
        invited = invited_people(session, masked=settings.mask_phones)
    people = sheet_rows(invited, session.expected_attendance, settings.spare_rows)
    hidden = settings.hidden
    content_hash = _sheet_content_hash(session, people, hidden)
    existing = db.session.scalar(
        sa.select(SheetVersion)
        .where(SheetVersion.session_id == session.id, SheetVersion.content_hash == content_hash)
        .order_by(SheetVersion.number.desc())
        .limit(1)
    )
    if existing is not None and existing.pdf_key:
        pdf = render.cached(existing.pdf_key)
        if pdf is not None:
            return existing, pdf
    if existing is None:
        existing = _claim_sheet_version(session, content_hash, user)
        if existing.pdf_key and (pdf := render.cached(existing.pdf_key)) is not None:
            return existing, pdf
    html = sheet_html(session, people, existing.number, hidden)
    key = render.cache_key(html, *SHEET_STYLES)
    document = render.layout(html, SHEET_STYLES)
    layout = sheet_layout(plan_sheet_pages(people), session.id, existing.number, hidden)
    pdf = render.write_pdf(document)
    render.store(key, pdf)
    existing.pdf_key = key
    existing.page_count = len(document.pages)
    existing.layout_json = json.dumps(layout, separators=(",", ":"))
    db.session.flush()
    return existing, pdf


def _claim_sheet_version(
    session: OutreachSession, content_hash: str, user: User | None, attempts: int = 5
) -> SheetVersion:
    """The next version number for this content, race-safe: two people printing the same new
    sheet at once both get one version (the loser of the unique number finds the winner's row
    for the same content, or takes the next number), never a duplicate-key error."""
    for _attempt in range(attempts):
        last = db.session.scalar(
            sa.select(sa.func.max(SheetVersion.number)).where(SheetVersion.session_id == session.id)
        )
        version = SheetVersion(
            office_id=session.office_id,
            session_id=session.id,
            number=(last or 0) + 1,
            content_hash=content_hash,
            created_by_id=user.id if user else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(version)
        except sa.exc.IntegrityError:
            # The other print committed first (PostgreSQL waited for it): take its row.
            same = db.session.scalar(
                sa.select(SheetVersion)
                .where(
                    SheetVersion.session_id == session.id,
                    SheetVersion.content_hash == content_hash,
                )
                .order_by(SheetVersion.number.desc())
                .limit(1)
            )
            if same is not None:
                return same
            continue
        return version
    raise PlannerError(_("The sheet is being printed by someone else; try again in a moment."))


# --- Quote sheet ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdQuoteRequest:
    """What an officer enters to quote a household."""

    on: date
    group: PriorityGroup
    income: int
    months: int
    members: int


def household_quote(request: HouseholdQuoteRequest, office_id: int) -> dict:
    """Voluntary SI per payment with and without state support, and household HI for members."""
    if request.months not in PAYMENT_MONTHS:
        raise PlannerError(_("Choose to pay monthly or every 3, 6 or 12 months."), field="months")
    vsi = voluntary_si_quote(request.on, request.income, request.group, request.months, office_id)
    hi = household_hi_quote(request.on, request.members, request.months)
    return {
        "request": request,
        "vsi": vsi,
        "hi": hi,
        "support_pct": _percent(vsi.support_pct + vsi.province_support_pct),
        "total_period": vsi.period_person_pays + hi.period_total,
        "hi_yearly": hi.monthly_total * 12,
    }


def quote_sheet_html(quote: dict, office: Office, officer: User) -> str:
    """The printable quote for one household."""
    return _render(
        "quote_sheet",
        quote=quote,
        office=office,
        officer=_officer_line(officer),
        group_label=quote["request"].group.label,
    )


def quote_sheet_pdf(quote: dict, office: Office, officer: User) -> bytes:
    return render.cached_pdf(quote_sheet_html(quote, office, officer), QUOTE_STYLES)[1]


# --- The week's packet ----------------------------------------------------------------------


def packet_sessions(
    office_id: int, monday: date, officer_ids: set[int] | None, commune_id: int | None
) -> list[OutreachSession]:
    """The week's sessions the packet covers, in time order."""
    return week_sessions(office_id, monday, officer_ids=officer_ids, commune_id=commune_id)


def week_plan_html(office: Office, monday: date, sessions: list[OutreachSession], title: str):
    rows = []
    for s in sessions:
        facts = session_facts(s)
        rows.append({"session": s, "facts": facts, "cancelled": s.status != SessionStatus.PLANNED})
    return _render(
        "week_plan",
        office=office,
        monday=monday,
        sunday=monday + timedelta(days=6),
        rows=rows,
        title=title,
    )


def printable(session: OutreachSession) -> bool:
    """Cancelled and postponed sessions are listed in the plan but get no flyer or sheet."""
    return session.status in (SessionStatus.PLANNED, SessionStatus.HELD)


def packet_key(part_keys: list[str]) -> str:
    return hashlib.sha256("\n".join(["packet", *part_keys]).encode()).hexdigest()
