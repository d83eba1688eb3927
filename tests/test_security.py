"""Headers, cookies, CSRF and error pages that never show a stack trace."""

import pytest

from tests import factories


def test_responses_carry_security_headers(officer_client):
    response = officer_client.get("/")
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_and_samesite(client, officer):
    response = client.post("/login", data={"username": "mai", "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_404_is_a_friendly_page_in_vietnamese(officer_client):
    response = officer_client.get("/no-such-page")
    assert response.status_code == 404
    assert "Trang này không tồn tại" in response.get_data(as_text=True)


def test_an_unexpected_error_is_a_friendly_500_without_a_trace(app, officer_client, monkeypatch):
    from planner.sessions import routes

    def boom(*_args, **_kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr(routes, "week_sessions", boom)
    app.logger.disabled = True
    response = officer_client.get("/")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Những gì bạn đã lưu trước đó vẫn còn nguyên" in text
    assert "database exploded" not in text
    assert "Traceback" not in text


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_without_its_token_is_refused(self, client, officer):
        response = client.post("/login", data={"username": "mai", "password": factories.PASSWORD})
        assert response.status_code == 400
        assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)

    def test_every_form_on_the_planning_pages_carries_a_token(self, client, officer, places):
        page = client.get("/login").get_data(as_text=True)
        assert 'name="csrf_token"' in page
        import re

        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login", data={"username": "mai", "password": factories.PASSWORD, "csrf_token": token}
        )
        for url in ("/sessions/new", "/"):
            text = client.get(url).get_data(as_text=True)
            for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", text, re.S):
                assert 'name="csrf_token"' in form


def test_an_over_large_upload_is_a_413_page(app, officer_client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = officer_client.post("/sessions/new", data={"notes": "x" * 4096})
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
