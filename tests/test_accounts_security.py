"""What an attack run found in accounts and sessions, and the kinds behind each finding:
redirects to other sites, sessions that outlive logout and password changes, weak passwords,
login timing and lock-outs, feeds that outlive their owner, formulas in exports, headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from planner.accounts import passwords
from planner.accounts.models import User
from planner.calendars.services import create_feed
from planner.extensions import db
from planner.people.privacy import neutralise_formula
from planner.web import is_safe_next
from tests import factories
from tests.conftest import login

# Every way a browser reads a "path" as another site, plain and percent-encoded.
OTHER_SITES = [
    "////evil.example",
    "//evil.example",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/%252F/evil.example",
    "evil.example",
    " //evil.example",
]
OWN_PAGES = ["/", "/places/", "/follow-ups/?scope=team", "/people?q=a%20b"]


@pytest.mark.parametrize("target", OTHER_SITES)
def test_no_redirect_leads_to_another_site(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", OWN_PAGES)
def test_redirects_to_our_own_pages_still_work(target):
    assert is_safe_next(target)


@pytest.mark.parametrize("target", OTHER_SITES)
def test_the_language_switch_and_login_stay_on_the_site(client, officer, target):
    switched = client.get("/language/vi", query_string={"next": target})
    assert switched.headers["Location"] == "/"
    logged_in = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "mai", "password": factories.PASSWORD},
    )
    assert logged_in.headers["Location"] == "/"


def test_the_attack_runs_redirect_answers_the_home_page(client):
    response = client.get("/language/vi?next=////evil.example")
    assert response.headers["Location"] == "/"


# --- sessions end when they should --------------------------------------------------------


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name, domain="planner.test")
    return cookie.value if cookie else None


def test_a_copied_session_cookie_stops_working_after_logout(app, client, officer):
    login(client, officer)
    copied = _cookie(client, "session")
    thief = app.test_client()
    thief.set_cookie("session", copied, domain="planner.test")
    assert thief.get("/").status_code == 200
    client.post("/logout")
    assert thief.get("/").status_code == 302


def test_the_remember_cookie_stops_working_after_logout(app, client, officer):
    client.post("/login", data={"username": "mai", "password": factories.PASSWORD, "remember": "y"})
    remembered = _cookie(client, "remember_token")
    assert remembered
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered, domain="planner.test")
    assert thief.get("/").status_code == 200
    client.post("/logout")
    other = app.test_client()
    other.set_cookie("remember_token", remembered, domain="planner.test")
    assert other.get("/").status_code == 302


class TestSecureCookies:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_COOKIE_SECURE": True}

    def test_the_remember_cookie_is_secure_and_lasts_weeks_not_a_year(self, client, officer):
        response = client.post(
            "/login",
            base_url="https://planner.test",
            data={"username": "mai", "password": factories.PASSWORD, "remember": "y"},
        )
        remember = next(
            c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token")
        )
        assert "Secure" in remember
        expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", remember).group(1))
        assert timedelta(days=7) < expires - datetime.now(UTC) < timedelta(days=31)


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, client, officer):
    login(client, officer)
    laptop = login(app.test_client(), officer)
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "password": "ruộng bậc thang mùa lúa chín",
            "confirm": "ruộng bậc thang mùa lúa chín",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert laptop.get("/").status_code == 302
    assert login(app.test_client(), officer, "ruộng bậc thang mùa lúa chín")


def test_a_wrong_current_password_changes_nothing(client, officer):
    login(client, officer)
    response = client.post(
        "/account/password",
        data={"current_password": "wrong", "password": "x" * 20, "confirm": "x" * 20},
    )
    assert "Mật khẩu hiện tại không đúng" in response.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.check_password(factories.PASSWORD)


def test_an_admin_reset_ends_the_users_sessions_and_asks_for_their_own_password(
    app, admin_client, officer
):
    phone = login(app.test_client(), officer)
    response = admin_client.post(
        f"/admin/users/{officer.id}",
        data={
            "username": "mai",
            "full_name": officer.full_name,
            "role": "officer",
            "team_id": "0",
            "active": "y",
            "password": "tạm thời cho chị Mai 2026",
        },
    )
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    fresh = login(app.test_client(), officer, "tạm thời cho chị Mai 2026")
    page = fresh.get("/")
    assert page.headers["Location"].endswith("/account/password")
    assert fresh.get("/people").headers["Location"].endswith("/account/password")
    fresh.post(
        "/account/password",
        data={
            "current_password": "tạm thời cho chị Mai 2026",
            "password": "mây trắng trên đỉnh Fansipan",
            "confirm": "mây trắng trên đỉnh Fansipan",
        },
    )
    assert fresh.get("/").status_code == 200


def test_deactivating_a_user_ends_their_sessions(app, admin_client, officer):
    phone = login(app.test_client(), officer)
    admin_client.post(
        f"/admin/users/{officer.id}",
        data={"username": "mai", "full_name": officer.full_name, "role": "officer", "team_id": "0"},
    )
    assert phone.get("/").status_code == 302


# --- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["password", "12345678", "        ", "pao12345", "giangseopao"])
def test_common_and_trivial_passwords_are_refused(admin_client, admin, weak):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "username": "pao",
            "full_name": "Giàng Seo Pao",
            "role": "officer",
            "team_id": "0",
            "password": weak,
        },
    )
    assert response.status_code == 200
    assert "quá dễ đoán" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "pao")) is None
    if "pao" in weak:  # about the new user only
        return
    own = admin_client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": weak, "confirm": weak},
    )
    assert own.status_code == 200
    db.session.refresh(admin)
    assert admin.check_password(factories.PASSWORD)


def test_an_unknown_username_costs_the_same_password_hash_as_a_wrong_password(
    client, officer, monkeypatch
):
    hashed = []
    real = passwords.check_password_hash
    monkeypatch.setattr(
        passwords, "check_password_hash", lambda *a: hashed.append("dummy") or real(*a)
    )
    from planner.accounts import models

    monkeypatch.setattr(models, "check_password_hash", lambda *a: hashed.append("real") or real(*a))
    client.post("/login", data={"username": "mai", "password": "sai mật khẩu"})
    client.post("/login", data={"username": "khong-co-ai", "password": "sai mật khẩu"})
    assert hashed == ["real", "dummy"]


class TestLoginLimits:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "LOGIN_RATE_LIMIT_PER_ADDRESS": "6 per minute",
        }

    def test_guessing_from_one_place_does_not_lock_the_user_out_elsewhere(self, client, officer):
        attacker = {"REMOTE_ADDR": "203.0.113.9"}
        for _ in range(3):
            client.post(
                "/login", data={"username": "mai", "password": "wrong"}, environ_base=attacker
            )
        refused = client.post(
            "/login",
            data={"username": "mai", "password": factories.PASSWORD},
            environ_base=attacker,
        )
        assert refused.status_code == 429
        text = refused.get_data(as_text=True)
        assert "Bạn có thể thử lại sau 1 phút" in text
        assert re.search(r"lúc \d\d:\d\d", text)
        at_the_office = client.post(
            "/login",
            data={"username": "mai", "password": factories.PASSWORD},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
        assert at_the_office.status_code == 302

    def test_one_address_trying_many_usernames_is_limited(self, client, officer):
        attacker = {"REMOTE_ADDR": "203.0.113.9"}
        answers = [
            client.post(
                "/login", data={"username": f"user{i}", "password": "x"}, environ_base=attacker
            ).status_code
            for i in range(7)
        ]
        assert answers[-1] == 429


# --- feeds, exports, headers ----------------------------------------------------------------


def test_a_team_feed_stops_when_the_supervisor_who_shared_it_is_deactivated(
    client, office, supervisor
):
    team = factories.team(office)
    supervisor.team = team
    db.session.commit()
    _feed, token = create_feed(supervisor, "team", team_id=team.id)
    db.session.commit()
    url = f"/calendars/feed/{token}.ics"
    assert client.get(url).status_code == 200
    supervisor.active = False
    db.session.commit()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["＝1+1", "＋cmd", "－2", "＠SUM(A1)", "=1+1"])
def test_a_formula_in_full_width_characters_is_neutralised_on_export(name):
    assert neutralise_formula(name) == "'" + name


def test_hsts_is_sent_over_https_only(client):
    assert (
        "Strict-Transport-Security" in client.get("/login", base_url="https://planner.test").headers
    )
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_error_pages_are_never_cached(officer_client):
    assert officer_client.get("/no-such-page").headers["Cache-Control"] == "no-store"
    assert officer_client.get("/sessions/999999").headers["Cache-Control"] == "no-store"
    assert officer_client.get("/static/no-such-file.css").headers["Cache-Control"] == "no-store"
