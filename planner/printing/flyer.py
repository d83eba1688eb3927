"""The flyer: a body shared between sessions (talking points, costs), rendered ahead, and each
session's details printed over it."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import segno
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from planner.accounts.models import Office
from planner.enums import Language, PriorityGroup, SessionStatus, Topic
from planner.extensions import db
from planner.printing import glyphs, render
from planner.printing.facts import DOCUMENT_LOCALE, SessionFacts, session_facts
from planner.printing.markup import render_markup
from planner.printing.models import TalkingPoint
from planner.printing.settings import print_settings
from planner.printing.talking_points import session_talking_points, session_topics
from planner.rates.quotes import percent_text
from planner.rates.services import (
    household_hi_quote,
    rates_in_force,
    voluntary_si_limits,
    voluntary_si_quote,
)
from planner.sessions.models import OutreachSession
from planner.timezones import now_utc, to_local

HI_MEMBERS_ON_FLYER = 5
# Flyer bodies are rendered ahead for sessions this many days out (see prepare_flyer_body).
PREPARE_DAYS = 56
FLYER_STYLES = ("base", "flyer_page", "flyer")
FLYER_LAYER_STYLES = ("base", "flyer_page", "flyer_layer")
# A flyer on one topic: its talking points and costs print up to this many times the one-topic
# size (flyer_page.css), in steps, the largest that stays on one page (the details box keeps its
# size). The page's bottom margin (flyer_page.css @page), per layout, in millimetres.
ONE_TOPIC_MAX_SCALE = 1.5
SCALE_STEP = 0.05
PAGE_FOOT_MM = {"a4": 12, "a5x2": 8.5}
PX_PER_MM = 96 / 25.4


@functools.lru_cache(maxsize=256)
def _qr_data_uri(content: str, error: str, module_mm: float, border: int) -> str:
    """An SVG QR code as a data: image, sized in millimetres so a module has a known size."""
    qr = segno.make(content, error=error, micro=False)
    return qr.svg_data_uri(scale=module_mm, unit="mm", border=border, dark="#000", light="#fff")


@dataclass(frozen=True)
class GroupCost:
    group: PriorityGroup
    label: str
    contribution: int
    state_support: int
    person_pays: int
    support_pct: str


@dataclass(frozen=True)
class MemberCost:
    """Household HI for the n-th member, in dong: their own month and year, the household's year."""

    number: int
    monthly: int
    yearly: int
    household_monthly: int  # the first `number` members together
    household_yearly: int


@dataclass(frozen=True)
class FlyerCosts:
    """What the flyer prints about money: the lowest income to contribute on (dong a month),
    voluntary SI there for each priority group, household HI for 1 to 5 members."""

    min_income: int
    groups: tuple[GroupCost, ...]
    members: tuple[MemberCost, ...]


def flyer_costs(on: date, office_id: int) -> FlyerCosts:
    """Voluntary SI at the minimum income for each group, and household HI for 1 to 5 members."""
    low, _high = voluntary_si_limits(on)
    groups = []
    with force_locale(DOCUMENT_LOCALE):
        for group in PriorityGroup:
            quote = voluntary_si_quote(on, low, group, 1, office_id)
            groups.append(
                GroupCost(
                    group=group,
                    label=str(group.label),
                    contribution=quote.monthly_contribution,
                    state_support=quote.monthly_state_support + quote.monthly_province_support,
                    person_pays=quote.monthly_person_pays,
                    support_pct=percent_text(quote.support_pct + quote.province_support_pct),
                )
            )
    household = household_hi_quote(on, HI_MEMBERS_ON_FLYER, 12)
    members = tuple(
        MemberCost(
            number=n,
            monthly=amount,
            yearly=amount * 12,
            household_monthly=sum(household.monthly_by_member[:n]),
            household_yearly=sum(household.monthly_by_member[:n]) * 12,
        )
        for n, amount in enumerate(household.monthly_by_member, start=1)
    )
    return FlyerCosts(min_income=low, groups=tuple(groups), members=members)


def talking_texts(
    session: OutreachSession, points: dict[tuple[Topic, Language], TalkingPoint] | None = None
) -> list[dict]:
    """Per topic: the Vietnamese text and, when the session is in another language, that
    text, as the admin typed them; from `points` when the caller loaded them already
    (`session_talking_points`), else in one query."""
    topics = session_topics(session.topic)
    if points is None:
        points = session_talking_points(session)
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
    office = db.session.get_one(Office, session.office_id)
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


def flyer_body_html(inputs: dict, scale: float = 1.0) -> str:
    """The body's HTML: talking points, costs and the box the session's details go in; a
    flyer on one topic prints its talking points and costs `scale` times larger."""
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
    with force_locale(DOCUMENT_LOCALE):
        second_label = str(Language(second).label) if second else None
    return render.template_html(
        "flyer",
        office_name=inputs["office_name"],
        costs=flyer_costs(since, inputs["office_id"]),
        rates_since=since,
        # Whose figures the costs use: the decree's, and the province's when it adds support.
        province_support=bool(inputs["office_rates"]),
        blocks=blocks,
        bilingual=bool(second),
        second_language=second_label,
        flyer_layout=inputs["flyer_layout"],
        qr=_qr_data_uri(link, "m", 0.6, 2) if link else None,
        scale=scale,
    )


def _bilingual(texts: list[dict]) -> bool:
    """A second language is printed beside Vietnamese (at a smaller size)."""
    return any(text["other"] for text in texts)


FLYER_FITS = ("", "tight", "cut")


def flyer_layer_html(
    session: OutreachSession,
    body: dict,
    box: dict,
    fit: str = "",
    facts: SessionFacts | None = None,
) -> str:
    """The session's title, time, place and officer, placed over the box of its body (made
    from `body`, the body's inputs); `facts` are the session's, when already worked out.

    It takes the body's font size (bilingual, one topic), so the details fit the box left
    for them; `fit` prints them smaller ("tight"), or smaller and cut at the box ("cut").
    """
    return render.template_html(
        "flyer_layer",
        facts=facts or session_facts(session),
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
    body = flyer_body_inputs(session, flyer_layout, talking_texts(session))
    box = {"left": 0, "top": 0, "width": 100, "height": 100}
    return flyer_body_html(body) + flyer_layer_html(session, body, box)


def _flyer_body_key(inputs: dict) -> str:
    # Keyed by what the body depends on rather than by its HTML, so a session's flyer finds
    # its prepared body without rendering the template (render.cache_key adds the templates,
    # translations and code).
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False)
    return render.cache_key("flyer body sheet", text, *FLYER_STYLES)


def _flyer_body(inputs: dict, details: Sequence[tuple[str, str]] = ()) -> tuple[str, bytes, dict]:
    """The body's PDF (two to a sheet for A5) and where its details box landed, rendered once
    per distinct body.

    Before a body is rendered, the texts it prints (the office's name, the talking points)
    are checked, with `details` (the session's, as (where, text)) so that one message names
    every character that would not print: raises glyphs.UnprintableText. A stored body was
    checked when it was rendered: its key holds those texts, and the fonts (render_version).
    """
    key = _flyer_body_key(inputs)
    pdf, meta = render.cached(key), render.cached_meta(key)
    if pdf is None or meta is None:
        second = inputs["second_language"]
        language = Language(second) if second else None
        glyphs.require_printable(
            _typed_texts(inputs["office_name"], details, inputs["texts"], language)
        )
        document = _laid_out_body(inputs)
        left, top, right, bottom = document.pages[0].anchors["when"]
        meta = {"left": left, "top": top, "width": right - left, "height": bottom - top}
        pdf = render.write_pdf(document)
        if inputs["flyer_layout"] == "a5x2":
            pdf = render.two_up(pdf)
        render.store(key, pdf)
        render.store_meta(key, meta)
    return key, pdf, meta


def _details_texts(facts: SessionFacts) -> list[tuple[str, str]]:
    """What the session's details print that people typed, as (where it is, text)."""
    typed = " ".join((facts.title, facts.place, facts.officer, facts.partner))
    return [(_("The session's details"), typed)]


def _typed_texts(
    office_name: str,
    details: Sequence[tuple[str, str]],
    texts: list[dict],
    language: Language | None,
) -> Iterator[tuple[str, str]]:
    """What a flyer prints that people typed, as (where it is, text), in the order it prints
    them: the office's name, the session's `details`, the talking points (`texts`, their
    other language's being in `language`)."""
    yield _("The office's name"), office_name
    yield from details
    for text in texts:
        topic = Topic(text["topic"]).label
        for written_in, body in ((Language.VIETNAMESE, text["vi"]), (language, text["other"])):
            if body and written_in is not None:
                where = _(
                    "Talking points on %(topic)s in %(language)s",
                    topic=topic,
                    language=written_in.label,
                )
                yield where, body


def flyer_texts(
    session: OutreachSession, texts: list[dict] | None = None, office: Office | None = None
):
    """What a flyer prints that people typed, as (where it is, text), for glyphs.py; `office`
    is the session's, when the caller has it already (loaded otherwise)."""
    office = office or db.session.get_one(Office, session.office_id)
    yield from _typed_texts(
        office.name,
        _details_texts(session_facts(session)),
        texts if texts is not None else talking_texts(session),
        session.language,
    )


def _one_topic(inputs: dict) -> bool:
    return len(inputs["texts"]) == 1 and not _bilingual(inputs["texts"])


def _laid_out_body(inputs: dict):
    """The body laid out. A flyer on one topic (household HI alone has little to say) fills its
    page: its talking points and costs print larger, by the scale that makes them reach the
    page's foot (their area grows with its square), a step smaller while they spill over."""
    document = render.layout(flyer_body_html(inputs), FLYER_STYLES)
    if not _one_topic(inputs) or len(document.pages) > 1:
        return document
    page = document.pages[0]
    _left, top, _right, bottom = page.anchors["content"]
    foot = page.height - PAGE_FOOT_MM[inputs["flyer_layout"]] * PX_PER_MM
    if bottom <= top:
        return document
    scale = min(ONE_TOPIC_MAX_SCALE, math.sqrt((foot - top) / (bottom - top)))
    scale = math.floor(scale / SCALE_STEP) * SCALE_STEP
    while scale > 1 + 1e-6:
        larger = render.layout(flyer_body_html(inputs, round(scale, 2)), FLYER_STYLES)
        if len(larger.pages) == 1:
            return larger
        scale -= SCALE_STEP
    return document


def flyer_pdf(session: OutreachSession) -> tuple[str, bytes]:
    """The flyer as PDF (A5 ones two to an A4 sheet), from the cache when nothing changed.

    The body (talking points, costs) is shared between sessions; each session only lays out
    its own details, printed over the body's first page. Raises glyphs.UnprintableText, naming
    them, when the talking points or the details have a character no bundled font has.
    """
    flyer_layout = print_settings(session.office_id).flyer_layout
    inputs = flyer_body_inputs(session, flyer_layout, talking_texts(session))
    facts = session_facts(session)
    details = _details_texts(facts)
    body_key, body, box = _flyer_body(inputs, details)
    # The body's texts were checked when it was rendered; the details are this session's.
    glyphs.require_printable(details)
    layer_html = flyer_layer_html(session, inputs, box, facts=facts)
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
                flyer_layer_html(session, inputs, box, fit=fit, facts=facts),
                FLYER_LAYER_STYLES,
            )
        pdf = render.overlay(body, render.write_pdf(document), two_up=flyer_layout == "a5x2")
        render.store(key, pdf)
    return key, pdf


def _session_body_key(session: OutreachSession) -> str:
    flyer_layout = print_settings(session.office_id).flyer_layout
    return _flyer_body_key(flyer_body_inputs(session, flyer_layout, talking_texts(session)))


def _body_ready(key: str) -> bool:
    return render.cached_meta(key) is not None and render.is_cached(key)


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


def prepare_flyer_body(session: OutreachSession) -> bool:
    """Render the session's flyer body into the cache, so its flyer prints at once. A body
    whose talking points have a character no bundled font has is left out (False): printing
    the flyer names it to the officer, and the other bodies are still prepared."""
    flyer_layout = print_settings(session.office_id).flyer_layout
    try:
        _flyer_body(flyer_body_inputs(session, flyer_layout, talking_texts(session)))
    except glyphs.UnprintableText:
        return False
    return True
