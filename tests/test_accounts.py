"""Logging in, roles, the language switch and user administration."""

import pytest
import sqlalchemy as sa

from planner import config as defaults
from planner.accounts.models import User
from planner.extensions import db
from tests import factories
from tests.conftest import login


def test_pages_need_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_officer_logs_in_and_out(client, officer):
    login(client, officer)
    assert "Lý Thị Mai" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, officer):
    response = client.post("/login", data={"username": "mai", "password": "sai mật khẩu"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    unknown = client.post("/login", data={"username": "khong-co", "password": "x" * 10})
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in unknown.get_data(as_text=True)


def test_a_disabled_account_cannot_log_in(client, officer):
    officer.active = False
    db.session.commit()
    response = client.post("/login", data={"username": "mai", "password": factories.PASSWORD})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    # Still logged out: the pages send her back to the login form.
    after = client.get("/")
    assert after.status_code == 302
    assert "/login" in after.headers["Location"]
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_passwords_are_stored_hashed(officer):
    assert factories.PASSWORD not in officer.password_hash
    assert officer.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_passwords_are_hashed_with_scrypt_unless_configured_otherwise(app, office, monkeypatch):
    """The suite uses a one-round hash for speed; the app's own default is scrypt."""
    assert defaults.PASSWORD_HASH_METHOD == "scrypt"
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", defaults.PASSWORD_HASH_METHOD)
    user = User(office=office, username="lan", full_name="Lan")
    user.set_password(factories.PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(factories.PASSWORD)
    assert not user.check_password("sai mật khẩu")


def test_login_only_redirects_to_paths_on_this_site(client, officer):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": "mai", "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/places/", data={"username": "mai", "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/places/"


@pytest.fixture
def app_config():
    return {}


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    def test_login_attempts_are_rate_limited(self, client, officer):
        for _ in range(3):
            client.post("/login", data={"username": "mai", "password": "wrong-password"})
        response = client.post("/login", data={"username": "mai", "password": factories.PASSWORD})
        assert response.status_code == 429
        assert "Bạn đã thử quá nhiều lần" in response.get_data(as_text=True)


def test_the_language_switch_changes_the_interface(officer_client):
    assert "Lịch tuần" in officer_client.get("/").get_data(as_text=True)
    response = officer_client.get("/language/en?next=/")
    assert response.headers["Location"] == "/"
    text = officer_client.get("/").get_data(as_text=True)
    assert "Plan a session" in text
    assert 'lang="en"' in text
    assert officer_client.get("/language/fr").status_code == 404


def test_officers_cannot_manage_users(officer_client):
    assert officer_client.get("/admin/users").status_code == 403
    assert officer_client.post("/admin/users/new", data={}).status_code == 403


def test_an_admin_creates_an_officer_who_can_log_in(admin_client, client, office):
    team = factories.team(office)
    db.session.commit()
    response = admin_client.post(
        "/admin/users/new",
        data={
            "username": "pao",
            "full_name": "Giàng Seo Pao",
            "phone": "0912 345 678",
            "role": "officer",
            "team_id": str(team.id),
            "password": "mat-khau-moi",
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "pao"))
    assert user.phone == "+84912345678"
    assert user.team_id == team.id
    assert user.office_id == office.id


def test_a_taken_username_and_a_bad_phone_are_form_errors(admin_client, officer):
    taken = admin_client.post(
        "/admin/users/new",
        data={
            "username": "mai",
            "full_name": "Trùng tên",
            "role": "officer",
            "team_id": "0",
            "password": "mat-khau-moi",
        },
    )
    assert "đã có người dùng" in taken.get_data(as_text=True)
    bad_phone = admin_client.post(
        "/admin/users/new",
        data={
            "username": "moi",
            "full_name": "Người mới",
            "role": "officer",
            "team_id": "0",
            "phone": "12345",
            "password": "mat-khau-moi",
        },
    )
    assert "không phải số điện thoại Việt Nam hợp lệ" in bad_phone.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_an_admin_cannot_see_another_offices_user(admin_client):
    other = factories.office("Bảo hiểm xã hội tỉnh Lai Châu", "Lai Châu")
    stranger = factories.user(other, username="lc", full_name="Người Lai Châu")
    db.session.commit()
    assert admin_client.get(f"/admin/users/{stranger.id}").status_code == 404
    assert "Người Lai Châu" not in admin_client.get("/admin/users").get_data(as_text=True)


def test_an_admin_cannot_lock_themself_out(admin_client, admin):
    response = admin_client.post(
        f"/admin/users/{admin.id}",
        data={"username": "admin", "full_name": admin.full_name, "role": "officer", "team_id": "0"},
    )
    assert "Bạn không thể tự bỏ quyền quản trị" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_admin


def test_an_admin_adds_and_renames_a_team(admin_client, office):
    from planner.accounts.models import Team

    admin_client.post("/admin/teams", data={"name": "Tổ truyền thông Văn Yên"})
    team = db.session.scalar(sa.select(Team))
    assert team.office_id == office.id
    admin_client.post(f"/admin/teams/{team.id}", data={"name": "Tổ Văn Yên"})
    db.session.expire_all()
    assert db.session.get(Team, team.id).name == "Tổ Văn Yên"
    assert "Tổ Văn Yên" in admin_client.get("/admin/teams").get_data(as_text=True)


def test_an_admin_sets_the_offices_contact_link(admin_client, office):
    bad = admin_client.post(
        "/admin/office",
        data={"name": office.name, "province": "Lào Cai", "contact_link": "không phải địa chỉ"},
    )
    assert "Hãy nhập đầy đủ địa chỉ trang web" in bad.get_data(as_text=True)
    admin_client.post(
        "/admin/office",
        data={
            "name": office.name,
            "province": "Lào Cai",
            "phone": "0214 3840 111",
            "contact_link": "https://zalo.me/0912000001",
        },
    )
    db.session.expire_all()
    saved = db.session.get(type(office), office.id)
    assert saved.contact_link == "https://zalo.me/0912000001"
    assert saved.phone == "+842143840111"
