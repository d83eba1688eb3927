"""Whatever anyone sends, the answer is never a 5xx: every URL rule and every form on the pages,
walked with generated values (Hypothesis) while logged in as an office's admin.

The values are the kinds an attack run found ending in a 500: ids beyond the database's integer,
dates at the ends of the calendar, NUL bytes and other control characters in text, unknown
choices in hidden fields. The walk is bounded (a few examples per rule and per form) so that it
runs in CI on both engines in about a minute each.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.enrolments.services import EnrolmentInput, record_enrolment
from planner.extensions import db
from planner.followups.models import Product
from planner.people.checkin import check_in_token
from planner.timezones import today_local
from tests import factories, factories_followups

EXAMPLES_PER_RULE = 4
EXAMPLES_PER_FORM = 6
# The whole walk's own clock: a rule that renders a PDF takes a second, most take milliseconds.
WALK = settings(
    max_examples=EXAMPLES_PER_RULE,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

BIG_INTS = ["0", "-1", "2147483647", "2147483648", "9223372036854775808", "99999999999999999999"]
EDGE_DATES = ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01", "2026-02-30", "20260101"]
NASTY_TEXT = ["\x00", "a\x00b", "\u202e", "＝1+1", "=cmd|' /C calc'!A0", "<script>", "'; --", " "]

text_values = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=12),
)
int_values = st.one_of(st.sampled_from(BIG_INTS), st.integers(-(2**70), 2**70).map(str))
values = st.one_of(text_values, int_values, st.sampled_from(EDGE_DATES))

QUERY_NAMES = [
    "week", "day", "from", "to", "on", "person", "page", "first", "second", "commune", "user",
    "follow_up", "product", "scope", "q", "key", "next", "entity", "mask", "all", "kind", "lang",
    "income", "members", "months", "priority_group", "fmt",
    # results' own filter (the attack run found its days and ids unbounded)
    "period", "officer", "last", "campaign", "target",
]  # fmt: skip


class _NoWorker:
    """Stands in for the job thread pools: a job the walk starts stays queued, so no thread is
    still reading the tables when the test empties them (PostgreSQL would deadlock there)."""

    def submit(self, *_args, **_kwargs) -> None:
        return None


@pytest.fixture(autouse=True)
def no_job_threads(monkeypatch):
    from planner import jobs

    monkeypatch.setattr(jobs, "_executor", lambda queue: _NoWorker())


@pytest.fixture
def world(app, admin, places):
    """One office with a bit of everything: a session with an attendee who wants a follow-up,
    an enrolment, a calendar feed; ids kept to fill the URL rules with real records."""
    factories.rates()
    monday = today_local() - timedelta(days=today_local().weekday())
    session = factories.session(admin, places.commune, day=monday + timedelta(days=2))
    person = factories_followups.person(admin.office)
    other = factories_followups.person(admin.office, full_name="Giàng A Páo", phone=None)
    attendance = factories_followups.attend(session, person, vsi=True)
    db.session.commit()
    enrolment = record_enrolment(
        other,
        EnrolmentInput(Product.HOUSEHOLD_HI, today_local(), "BL-1", months=3, members=1),
        admin,
    )
    from planner.calendars.services import create_feed
    from planner.followups.models import FollowUp

    feed, token = create_feed(admin, "officer")
    db.session.commit()
    follow_up = db.session.scalars(db.select(FollowUp)).first()
    return {
        "session_id": session.id,
        "person_id": person.id,
        "attendance_id": attendance.id,
        "follow_up_id": follow_up.id if follow_up else 1,
        "enrolment_id": enrolment.id,
        "feed_id": feed.id,
        "token": token,
        "checkin_token": check_in_token(session),
        "commune_id": places.commune.id,
        "village_id": places.village.id,
        "venue_id": places.house.id,
        "partner_id": places.partner.id,
        "user_id": admin.id,
        "version_id": 1,
        "fmt": "csv",
        "code": "vi",
        "job_id": "none",
    }


def stay_logged_in(client, user) -> None:
    """Put the admin back in the session when a generated request logged it out."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def arguments_for(rule, world: dict):
    """Values for a rule's path arguments: the world's real ids most of the time, else extremes."""
    strategies = {}
    for name, converter in rule._converters.items():
        real = world.get(name) or world.get(name.replace("_id", "") + "_id")
        if type(converter).__name__.endswith("IntConverter"):
            strategies[name] = st.one_of(
                st.just(real or 1), st.sampled_from([0, 2**31 - 1, 2**31, 2**63, 10**20])
            )
        else:
            strategies[name] = st.one_of(
                st.just(str(real or "x")), text_values.filter(lambda t: t and "/" not in t)
            )
    return st.fixed_dictionaries(strategies)


def rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in {"static", "accounts.logout"}),
        key=lambda r: r.rule,
    )


def assert_no_server_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what} → {response.status_code}"


def test_no_url_rule_answers_a_server_error(app, client, admin, world):
    stay_logged_in(client, admin)
    for rule in rules(app):
        methods = sorted(rule.methods & {"GET", "POST"})

        @WALK
        @given(
            arguments=arguments_for(rule, world),
            query=st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=4),
            method=st.sampled_from(methods),
        )
        def walk(arguments, query, method):
            with app.test_request_context():
                path = rule.build(arguments, append_unknown=False)[1]  # noqa: B023
            response = client.open(path, method=method, query_string=query)
            assert_no_server_error(response, f"{method} {path} {query!r}")
            stay_logged_in(client, admin)

        walk()


class FormsOnPage(HTMLParser):
    """Every <form method=post> on a page: its action and its fields with their current values."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]], dict[str, list[str]]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append((attrs.get("action") or "", {}, {}))
        if not self.forms:
            return
        _action, fields, options = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                options.setdefault(name, []).append(attrs.get("value") or "y")
                if "checked" in attrs:
                    fields.setdefault(name, []).append(attrs.get("value") or "y")
            elif kind != "file":
                fields[name] = [attrs.get("value") or ""]
        elif tag == "textarea" and name:
            fields[name] = [""]
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, [])
        elif tag == "option" and self._select:
            options.setdefault(self._select, []).append(attrs.get("value") or "")
            if "selected" in attrs or not fields[self._select]:
                fields[self._select] = [attrs.get("value") or ""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def pages_with_forms(app, world) -> list[str]:
    """GET pages of the world: every rule without a format, filled with the world's real ids."""
    paths = []
    with app.test_request_context():
        for rule in rules(app):
            if "GET" not in rule.methods or "." in rule.rule.rsplit("/", 1)[-1]:
                continue
            arguments = {name: world.get(name, 1) for name in rule.arguments}
            paths.append(rule.build(arguments, append_unknown=False)[1])
    return paths


def test_no_form_answers_a_server_error(app, client, admin, world):
    stay_logged_in(client, admin)
    seen: set[tuple[str, tuple[str, ...]]] = set()
    forms = []
    for path in pages_with_forms(app, world):
        page = client.get(path)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        parser = FormsOnPage()
        parser.feed(page.get_data(as_text=True))
        for action, fields, options in parser.forms:
            target = urlsplit(action).path or path
            key = (re.sub(r"\d+", "N", target), tuple(sorted(fields)))
            if "logout" in target or key in seen:
                continue
            seen.add(key)
            forms.append((target, fields, options))
    assert len(forms) > 20, "the walk should find the app's forms"

    for target, fields, options in forms:
        names = sorted(set(fields) | set(options))
        if not names:
            assert_no_server_error(client.post(target), f"POST {target}")
            stay_logged_in(client, admin)
            continue

        @settings(WALK, max_examples=EXAMPLES_PER_FORM)
        @given(
            changes=st.dictionaries(
                st.sampled_from(names),
                st.one_of(values, st.sampled_from(["__unknown_choice__", "-1", "0"])),
                min_size=1,
                max_size=4,
            )
        )
        def post(changes):
            data = {name: list(vals) for name, vals in fields.items()}  # noqa: B023
            data.update({name: [value] for name, value in changes.items()})
            response = client.post(target, data=data)  # noqa: B023
            assert_no_server_error(response, f"POST {target} {changes!r}")  # noqa: B023
            stay_logged_in(client, admin)

        post()


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/99999999999999999999",
        "/sessions/2147483648",
        "/people?page=99999999999999999999",
        "/enrolments/new?person=99999999999999999999",
        "/people/merge?first=2147483648&second=1",
        "/?week=9999-12-31",
        "/calendars/week.ics?week=0001-01-01",
        "/enrolments/?to=0001-01-01",
        "/printing/jobs/%00",
        "/printing/jobs/%00.json",
        "/calendars/feed/a%00b.ics",
    ],
)
def test_the_examples_of_the_attack_run_are_4xx(admin_client, world, path):
    response = admin_client.get(path)
    assert 400 <= response.status_code < 500 or response.status_code in (200, 302)
    assert response.status_code < 500


def test_a_nul_byte_in_text_never_reaches_the_database(admin_client, world):
    response = admin_client.post(
        f"/people/{world['person_id']}/edit",
        data={"full_name": "Giàng\x00 Thị Sua", "consent_contact": "y"},
    )
    assert response.status_code < 500
    from planner.people.models import Person

    assert "\x00" not in db.session.get(Person, world["person_id"]).full_name


def test_a_tampered_snapshot_on_a_stale_edit_form_is_shown_not_a_500(
    admin_client, admin, world, places
):
    import json

    session_id = world["session_id"]
    form = factories.session_form(places, admin, day=today_local() + timedelta(days=3))
    form.update(
        version="0",
        base=json.dumps({"kind": "no_such_kind", "language": 7, "title": "Họp thôn"}),
        apply_to="this",
    )
    response = admin_client.post(f"/sessions/{session_id}/edit", data=form)
    assert response.status_code == 409
    assert "no_such_kind" in response.get_data(as_text=True)  # shown as typed, escaped
