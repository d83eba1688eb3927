"""A page names its CSS and scripts by versioned URLs, which a phone keeps for a year and never
asks about again; a changed file gets a new URL, and an old or bare URL keeps the short
lifetime (its bytes may change under it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from planner import static_versions

YEAR = "public, max-age=31536000, immutable"


def test_the_week_names_its_css_and_scripts_by_version_and_they_are_kept_a_year(officer_client):
    page = officer_client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any(u.startswith("/static/css/app.css?v=") for u in urls)
    assert any(u.startswith("/static/offline/offline.js?v=") for u in urls)
    for url in urls:
        with officer_client.get(url) as answer:
            assert answer.status_code == 200, url
            assert answer.headers["Cache-Control"] == YEAR, url
            etag = answer.headers["ETag"]
        with officer_client.get(url, headers={"If-None-Match": etag}) as again:
            assert again.status_code == 304 and again.headers["Cache-Control"] == YEAR, url


def test_a_bare_or_outdated_url_keeps_the_short_lifetime(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=0000000000"):
        with client.get(url) as answer:
            assert answer.status_code == 200
            assert "immutable" not in answer.headers["Cache-Control"], url
            assert "max-age=3600" in answer.headers["Cache-Control"], url
    assert client.get("/static/no-such-file.css?v=1").headers["Cache-Control"] == "no-store"


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(Path(app.static_folder) / "css", folder / "css")
    app.static_folder = str(folder)
    with app.test_request_context():
        from flask import url_for

        before = url_for("static", filename="css/app.css")
        css = folder / "css" / "app.css"
        css.write_text(css.read_text() + "\n.new-rule { color: #000; }\n")
        after = url_for("static", filename="css/app.css")
        assert before != after and after.startswith("/static/css/app.css?v=")
        # Outside the static folder there is no version (and no file is read).
        assert static_versions.file_version("../pyproject.toml") is None
    with app.test_client().get(after) as answer:
        assert answer.headers["Cache-Control"] == YEAR and b".new-rule" in answer.data
