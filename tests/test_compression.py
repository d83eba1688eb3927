"""The app compresses its own text answers (gzip) for clients that accept it: pages, CSS, JS,
feeds; never an answer already compressed (PNG, PDF, XLSX) or too small to gain; a compressed
answer's ETag still brings a 304."""

from __future__ import annotations

import gzip
from datetime import timedelta

from planner.extensions import db
from planner.timezones import today_local
from tests import factories
from tests.calendar_story import officer_feed

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_page_is_compressed_for_a_client_that_accepts_gzip(officer_client):
    plain = officer_client.get("/")
    packed = officer_client.get("/", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 3
    assert gzip.decompress(packed.data).decode().startswith("<!doctype html>")
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_css_and_javascript_are_compressed_and_still_answer_304(client):
    for url in ("/static/css/app.css", "/static/offline/offline.js"):
        with client.get(url, headers=GZIP) as first:
            assert first.headers["Content-Encoding"] == "gzip", url
            body = gzip.decompress(first.data)
            etag = first.headers["ETag"]
        assert etag.startswith('W/"')
        with client.get(url, headers={**GZIP, "If-None-Match": etag}) as again:
            assert again.status_code == 304, url
        # The second compressed answer is the same bytes (kept, not compressed again).
        with client.get(url, headers=GZIP) as second:
            assert gzip.decompress(second.data) == body


def test_what_is_compressed_already_or_small_is_sent_as_it_is(client):
    with client.get("/static/offline/icon-512.png", headers=GZIP) as png:
        assert png.status_code == 200 and "Content-Encoding" not in png.headers
    small = client.get("/healthz", headers=GZIP)
    assert small.status_code == 200 and len(small.data) < 500
    assert "Content-Encoding" not in small.headers


def test_an_export_is_not_compressed_again(officer_client, officer, places):
    session = factories.session(officer, places.commune, day=today_local() - timedelta(days=1))
    db.session.commit()
    xlsx = officer_client.get(f"/sessions/{session.id}/attendance.xlsx?mask=1", headers=GZIP)
    assert xlsx.status_code == 200
    assert "Content-Encoding" not in xlsx.headers
    assert xlsx.data[:2] == b"PK"


def test_a_feed_is_compressed_and_its_etag_still_brings_a_304(client, officer, places):
    factories.session(officer, places.commune, day=today_local() + timedelta(days=2))
    db.session.commit()
    _feed, url = officer_feed(officer)
    first = client.get(url, headers=GZIP)
    assert first.status_code == 200
    assert first.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.data).startswith(b"BEGIN:VCALENDAR")
    again = client.get(url, headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
