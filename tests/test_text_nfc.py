"""Text is stored composed (NFC) whatever brought it: forms, the public check-in, services,
imports (tests/test_spreadsheet_files.py reads a code-page CSV), and rows written before
(migration 0014, on SQLite and PostgreSQL)."""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from wtforms import StringField, TextAreaField

from planner import create_app
from planner.accounts.models import Office, User
from planner.enums import Role
from planner.extensions import db
from planner.forms import PlannerForm
from planner.people.checkin import check_in_token
from planner.people.models import Person
from planner.places.models import Commune
from planner.text import nfc
from planner.timezones import today_local
from tests import factories
from tests.test_operations import _fresh_database_url

COMPOSED = "Sùng Thị Mỷ – Bản Nậm Cang, Mường Bo"
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def test_the_two_spellings_differ_and_nfc_makes_them_one():
    assert DECOMPOSED != COMPOSED and not is_nfc(DECOMPOSED)
    assert nfc(DECOMPOSED) == COMPOSED
    assert nfc(None) is None and nfc(12) == 12


def test_every_string_field_of_every_form_is_composed(app):
    class NoteForm(PlannerForm):
        name = StringField()
        note = TextAreaField()

    with app.test_request_context(
        method="POST", data={"name": DECOMPOSED, "note": f"{DECOMPOSED}\x00\n- hẹn lại"}
    ):
        form = NoteForm(meta={"csrf": False})
        assert form.name.data == COMPOSED
        assert form.note.data == unicodedata.normalize("NFC", f"{DECOMPOSED}\n- hẹn lại")


def test_the_public_check_in_stores_a_composed_name(client, officer, places):
    session = factories.session(officer, places.commune, day=today_local(), venue=places.house)
    db.session.commit()
    response = client.post(
        f"/c/{check_in_token(session)}",
        data={
            "full_name": unicodedata.normalize("NFD", "Sùng Thị Mỷ"),
            "phone": "0987 654 321",
            "village_id": str(places.village.id),
            "interest": "household_hi",
            "consent_contact": "y",
        },
    )
    assert response.status_code == 200
    person = db.session.scalars(sa.select(Person)).one()
    assert person.full_name == "Sùng Thị Mỷ"


def test_a_form_posted_by_an_officer_is_stored_composed(officer_client, officer, places):
    from tests.test_people_privacy import add

    session = factories.session(officer, places.commune, day=today_local(), venue=places.house)
    db.session.commit()
    response = officer_client.post(
        f"/sessions/{session.id}/attendance",
        data={"full_name": unicodedata.normalize("NFD", "Giàng Thị Dợ"), "interest": "none"},
    )
    assert response.status_code in (200, 302)
    names = db.session.scalars(sa.select(Person.full_name)).all()
    assert names == ["Giàng Thị Dợ"]
    # A service called directly (an import, a command) is caught before the row is written.
    add(session, officer, full_name=unicodedata.normalize("NFD", "Lò Văn Páo"))
    db.session.commit()
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(Person.full_name))) == [
        "Giàng Thị Dợ",
        "Lò Văn Páo",
    ]


def test_any_row_written_through_the_orm_is_composed(office):
    commune = Commune(office_id=office.id, name=unicodedata.normalize("NFD", "Hạnh Phúc"))
    db.session.add(commune)
    db.session.commit()
    commune.name = unicodedata.normalize("NFD", "Xuân Quang")
    db.session.commit()
    assert db.session.execute(
        sa.select(Commune.name).where(Commune.id == commune.id)
    ).scalar_one() == ("Xuân Quang")


def test_migration_0014_composes_the_rows_written_before(tmp_path):
    """Rows written decomposed (below the ORM, as before this change) come out composed; where
    a unique constraint refuses the composed text, the row keeps its own and nothing fails."""
    url, drop = _fresh_database_url(tmp_path)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "t"})
        directory = app.extensions["migrate"].directory
        with app.app_context():
            upgrade(directory=directory)
            downgrade(directory=directory, revision="0013")
            with db.engine.begin() as connection:
                office_id = connection.execute(
                    sa.insert(Office)
                    .values(name=unicodedata.normalize("NFD", "Bảo hiểm xã hội tỉnh Lào Cai"))
                    .values(province=unicodedata.normalize("NFD", "Lào Cai"))
                    .returning(Office.id)
                ).scalar_one()
                many = [
                    {"office_id": office_id, "name": unicodedata.normalize("NFD", f"Xã {i} Bắc Hà")}
                    for i in range(2500)  # more than one batch
                ]
                connection.execute(sa.insert(Commune), many)
                for username in ("hòa", unicodedata.normalize("NFD", "hòa")):
                    connection.execute(
                        sa.insert(User).values(
                            office_id=office_id,
                            username=username,
                            full_name=unicodedata.normalize("NFD", "Nguyễn Thị Hòa"),
                            password_hash="x",
                            role=Role.OFFICER,
                        )
                    )
            upgrade(directory=directory)
            with db.engine.connect() as connection:
                office = connection.execute(sa.select(Office.name, Office.province)).one()
                assert tuple(office) == ("Bảo hiểm xã hội tỉnh Lào Cai", "Lào Cai")
                names = connection.scalars(sa.select(Commune.name)).all()
                assert len(names) == 2500 and all(is_nfc(n) for n in names)
                assert "Xã 2499 Bắc Hà" in names
                users = connection.execute(sa.select(User.username, User.full_name)).all()
                assert [u.full_name for u in users] == ["Nguyễn Thị Hòa"] * 2
                # One username composed; the other would duplicate it, so it stays as it was.
                assert sorted(is_nfc(u.username) for u in users) == [False, True]
            db.engine.dispose()
    finally:
        drop()


def test_a_title_becomes_a_file_name_without_marks_composed_or_decomposed():
    import unicodedata

    from planner.text import file_stem, without_diacritics

    title = "Đăng ký tham gia: Người được tiếp cận (năm 2026)"
    assert file_stem(title) == "dang-ky-tham-gia-nguoi-duoc-tiep-can-nam-2026"
    assert file_stem(unicodedata.normalize("NFD", title)) == file_stem(title)
    assert without_diacritics("Đặng Thị Ánh") == "Dang Thi Anh"
