"""Files that outlive a request are kept where every server reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from planner import create_app
from planner.extensions import db
from planner.printing import flyer, talking_points
from planner.storage import DatabaseStore, DirectoryStore, store
from planner.timezones import today_local
from tests import factories


@pytest.fixture(params=["directory", "database"])
def each_store(request, app, tmp_path):
    return DirectoryStore(tmp_path / "files") if request.param == "directory" else DatabaseStore()


def test_a_stored_file_reads_back_whole_and_is_replaced_and_forgotten(each_store):
    key = "pdf/" + "ab" * 32 + ".pdf"
    assert each_store.get(key) is None and not each_store.exists(key)
    each_store.put(key, b"%PDF-1.7 first")
    each_store.put(key, b"%PDF-1.7 second")
    assert each_store.get(key) == b"%PDF-1.7 second"
    assert each_store.exists(key)
    each_store.delete(key)
    assert each_store.get(key) is None
    each_store.delete(key)  # forgetting twice is not an error


@pytest.mark.parametrize("key", ["../etc/passwd", "pdf/../../x", "pdf", "/abs/path", "PDF/x y"])
def test_keys_that_could_leave_the_store_are_refused(each_store, key):
    with pytest.raises(ValueError):
        each_store.put(key, b"x")


@pytest.mark.parametrize("app_config", [{"STORAGE": "database"}])
def test_a_flyer_printed_by_one_server_is_read_by_another_from_the_database(
    app, officer, places, database_url, tmp_path
):
    factories.rates()
    talking_points.seed_talking_points()
    session = factories.session(officer, places.commune, day=today_local() + timedelta(days=3))
    db.session.commit()
    key, pdf = flyer.flyer_pdf(session)
    assert not any((tmp_path / "cache").rglob("*.pdf")), "nothing is kept on this server's disk"

    # Another server: its own instance folder and cache folder, the same database.
    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "STORAGE": "database",
            "PLANNER_CACHE_DIR": str(tmp_path / "other-cache"),
        }
    )
    with other.app_context():
        from planner.printing import render

        assert render.cached(key) == pdf
        db.engine.dispose()


@pytest.mark.parametrize("app_config", [{"STORAGE": "s3-someday"}])
def test_an_unknown_storage_setting_stops_with_a_clear_message(app):
    with pytest.raises(RuntimeError, match="PLANNER_STORAGE"):
        store()
