"""In a village without signal: the officer loaded the week at the office, opens a session on the
phone offline, types three attendees and a follow-up's outcome, reloads (still waiting), and
when the signal returns everything is recorded exactly once; a refused entry is shown with its
reason; signing out clears the phone. A real server on 127.0.0.1 (service workers need one)."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.serving import make_server

from planner.enums import SessionStatus
from planner.extensions import db
from planner.followups.models import FollowUp, FollowUpOutcome
from planner.people.models import Attendance, Person
from planner.printing.talking_points import seed_talking_points
from planner.sessions.models import OutreachSession
from planner.sessions.status import set_status
from planner.timezones import today_local
from tests import factories
from tests import factories_followups as ff
from tests.browser.conftest import log_in

PORTS = range(5150, 5160)
PHONE = {"width": 390, "height": 844}
NAMES = ["Lò Văn Páo", "Sùng A Dế", "Vàng Thị Mỷ"]


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("no free port in 5150-5159")


@pytest.fixture
def server(app):
    """The app on one of this branch's ports, on the suite's temporary SQLite (or PG) db."""
    port = free_port()
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def story(office, officer, places):
    factories.rates()
    seed_talking_points()
    session = factories.session(
        officer,
        places.commune,
        day=today_local() - timedelta(days=1),
        venue=places.house,
        title="Họp thôn Na Hối",
    )
    person = ff.person(office, full_name="Giàng Thị Sua")
    ff.attend(session, person, vsi=True)  # her interest opened a follow-up for Mai
    db.session.commit()
    return session


def load_online(page, server: str) -> None:
    log_in(page, server, "mai", factories.PASSWORD)
    page.goto(f"{server}/")
    # The worker has kept what the server listed (pages, PDFs) once this is set.
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=90_000)


def until(page, expression: str, timeout: float = 20.0) -> None:
    """Poll `expression` (a promise or value) until it is truthy: wait_for_function evaluates
    its predicate with eval, which the app's Content-Security-Policy refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(100)


def queue(page) -> list[dict]:
    return page.evaluate("PlannerQueue.all()")


def recorded_names(session_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            sa.select(Person.full_name)
            .join(Attendance, Attendance.person_id == Person.id)
            .where(Attendance.session_id == session_id)
        )
    )


def outcomes() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(FollowUpOutcome.id)))


def add_offline(page, name: str) -> None:
    """Type one attendee without signal and wait until the phone has queued that one (the
    status line still says "saved" from the entry before, so it cannot tell)."""
    waiting = len(queue(page))
    form = page.locator("form.attendance-form")
    form.locator("#full_name").fill(name)
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-status]")).to_contain_text("Đã lưu trên điện thoại")
    until(page, f"PlannerQueue.all().then(q => q.length === {waiting + 1})")


def test_typed_offline_then_recorded_exactly_once_when_the_signal_returns(
    phone, server, story, app, tmp_path
):
    page = phone
    load_online(page, server)
    kept = page.evaluate(
        "caches.keys().then(ns => Promise.all(ns.map(n => caches.open(n).then(c => c.keys()))))"
        ".then(all => all.flat().map(r => new URL(r.url).pathname))"
    )
    assert f"/sessions/{story.id}" in kept
    assert f"/printing/sessions/{story.id}/sheet.pdf" in kept
    assert f"/printing/sessions/{story.id}/flyer.pdf" in kept

    page.context.set_offline(True)
    page.goto(f"{server}/sessions/{story.id}")
    expect(page.locator(".kept-stamp")).to_be_visible()
    expect(page.locator(".kept-stamp")).to_contain_text("Cập nhật lần cuối lúc")
    for name in NAMES:
        add_offline(page, name)
    expect(page.locator("[data-queue-count]")).to_have_text("Đang chờ gửi (3)")

    page.goto(f"{server}/follow-ups/")
    item = page.locator(".fu-item", has_text="Giàng Thị Sua")
    item.locator("summary").click()
    item.locator("input[value=reached]").check()
    item.locator("input[value=home_visit]").check()
    item.locator("textarea").fill("Gặp ở nương ngô")
    item.locator("button[type=submit]").click()
    expect(page.locator("[data-queue-count]")).to_have_text("Đang chờ gửi (4)")
    page.screenshot(path=str(tmp_path / "followups-390.png"), full_page=True)

    # Reloaded without signal: the page comes from the phone and the entries are still waiting.
    page.goto(f"{server}/sessions/{story.id}")
    page.reload()
    expect(page.locator("[data-queue-count]")).to_have_text("Đang chờ gửi (4)")
    for name in NAMES:
        expect(page.locator("[data-queue-list]")).to_contain_text(name)
    page.locator("[data-queue] summary").click()
    page.screenshot(path=str(tmp_path / "session-390.png"), full_page=True)
    assert recorded_names(story.id) == ["Giàng Thị Sua"]
    typed = queue(page)
    assert len(typed) == 4 and len({e["key"] for e in typed}) == 4

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-queue]")).to_be_hidden(timeout=20_000)
    assert recorded_names(story.id) == sorted(["Giàng Thị Sua", *NAMES])
    assert outcomes() == 1
    outcome = db.session.scalars(sa.select(FollowUpOutcome)).one()
    assert outcome.channel.value == "home_visit" and outcome.notes == "Gặp ở nương ngô"

    # The same queue replayed twice (a lost answer; the page and the worker at once): once.
    for _round in range(2):
        page.evaluate(
            """async (entries) => {
                for (const e of entries) await PlannerQueue.put(e);
                const worker = navigator.serviceWorker.controller;
                if (worker) worker.postMessage({type: 'send'});
                await PlannerQueue.sendAll();
            }""",
            typed,
        )
        expect(page.locator("[data-queue]")).to_be_hidden(timeout=20_000)
        until(page, "PlannerQueue.all().then(q => q.length === 0)")
    page.wait_for_timeout(500)  # the worker's round, if it was still sending
    assert recorded_names(story.id) == sorted(["Giàng Thị Sua", *NAMES])
    assert outcomes() == 1
    page.goto(f"{server}/sessions/{story.id}")
    for name in NAMES:
        expect(page.locator("table.attendees")).to_contain_text(name)


def test_a_refused_entry_is_shown_with_its_reason_and_signing_out_clears_the_phone(
    phone, server, story, app, tmp_path
):
    page = phone
    load_online(page, server)
    page.context.set_offline(True)
    page.goto(f"{server}/sessions/{story.id}")
    add_offline(page, "Lò Văn Páo")
    page.locator("#status").select_option("held")
    page.locator("form.status-form button[type=submit]").click()
    expect(page.locator("[data-queue-count]")).to_have_text("Đang chờ gửi (2)")

    # Meanwhile, at the office, the session is cancelled.
    session = db.session.get(OutreachSession, story.id)
    set_status(session, SessionStatus.CANCELLED, "Mưa lũ, đường sạt lở")
    db.session.commit()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.locator("[data-queue-list] .queue-refused")
    expect(refused).to_have_count(2, timeout=20_000)
    expect(page.locator("[data-queue-count]")).to_have_text("Chưa ghi nhận được (2)")
    expect(refused.filter(has_text="Buổi đã tổ chức")).to_contain_text("Mưa lũ, đường sạt lở")
    expect(refused.filter(has_text="Lò Văn Páo")).to_contain_text("Buổi truyền thông này đã bị h")
    page.screenshot(path=str(tmp_path / "refused-390.png"), full_page=True)
    assert recorded_names(story.id) == ["Giàng Thị Sua"]
    # Never dropped silently: still there on the next page.
    page.reload()
    expect(page.locator("[data-queue-list] .queue-refused")).to_have_count(2)

    # Signing out cannot send them: it asks first, then clears the phone.
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.locator("form[data-logout] button[type=submit]").click()
    page.wait_for_url(f"{server}/login")
    assert asked and asked[0].startswith("Còn 2 mục chưa gửi được")
    assert page.evaluate("PlannerQueue.all()") == []
    kept = page.evaluate(
        "caches.keys().then(ns => Promise.all(ns.filter(n => n.startsWith('planner-pages-'))"
        ".map(n => caches.open(n).then(c => c.keys())))).then(all => all.flat().map(r => r.url))"
    )
    assert kept == []
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 1


def pages_kept(page) -> list[str]:
    return page.evaluate(
        "caches.keys().then(ns => Promise.all(ns.filter(n => n.startsWith('planner-pages-'))"
        ".map(n => caches.open(n).then(c => c.keys())))).then(all => all.flat()"
        ".map(r => new URL(r.url).pathname + new URL(r.url).search))"
    )


def test_another_officer_signing_in_asks_then_removes_the_first_officers_data(
    phone, server, story, app, office
):
    factories.user(office, username="lan", full_name="Vàng Thị Lan")
    db.session.commit()
    page = phone
    load_online(page, server)
    page.context.set_offline(True)
    page.goto(f"{server}/sessions/{story.id}")
    add_offline(page, "Lò Văn Páo")
    # Mai's sign-in ended on the server before the entry was sent (12 hours passed): ended
    # before the signal returns, or the page sends it as Mai the moment it comes back.
    page.context.clear_cookies()
    page.context.set_offline(False)
    page.goto(f"{server}/login")
    asked: list[str] = []
    replies = iter([False, True])

    def answer(dialog):
        asked.append(dialog.message)
        (dialog.accept if next(replies) else dialog.dismiss)()

    page.on("dialog", answer)
    page.fill("#username", "lan")
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    for _tick in range(100):  # the question comes after the script tried to send
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked == [
        "Điện thoại này còn 1 mục do Lý Thị Mai nhập đang chờ gửi; chỉ Lý Thị Mai gửi được. "
        "Đăng nhập bằng tài khoản khác sẽ xóa các mục này. Tiếp tục?"
    ]
    # Declined: nothing removed, still on the sign-in page.
    assert page.url == f"{server}/login"
    assert len(queue(page)) == 1
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    assert len(asked) == 2
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=90_000)
    assert queue(page) == []
    assert not any(url.startswith(f"/sessions/{story.id}") for url in pages_kept(page))
    assert recorded_names(story.id) == ["Giàng Thị Sua"]


def test_a_new_version_replaces_the_worker_and_every_kept_page(phone, server, story, monkeypatch):
    from planner.offline import keeping

    page = phone
    load_online(page, server)
    old = keeping.app_version()
    assert f"planner-pages-{old}" in page.evaluate("caches.keys()")
    monkeypatch.setattr(keeping, "_APP_VERSION", "0000newer000")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    # The new worker takes over at once and deletes the old version's stores.
    until(page, f"caches.keys().then(ns => !ns.some(n => n.endsWith('{old}')))")
    page.reload()
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=90_000)
    names = page.evaluate("caches.keys()")
    assert "planner-pages-0000newer000" in names and "planner-files-0000newer000" in names
    assert f"/sessions/{story.id}" in pages_kept(page)


def test_a_kept_page_past_its_day_is_deleted_from_the_phone(phone, server, story):
    page = phone
    load_online(page, server)
    page.evaluate(
        """async () => {
            const name = (await caches.keys()).find(n => n.startsWith('planner-pages-'));
            const headers = {'Content-Type': 'text/html', 'X-Kept-Until': '2000-01-01T00:00:00Z'};
            await (await caches.open(name)).put('/sessions/999999', new Response('old', {headers}));
            navigator.serviceWorker.controller.postMessage({type: 'purge'});
        }"""
    )
    until(
        page,
        "caches.keys().then(ns => caches.open(ns.find(n => n.startsWith('planner-pages-'))))"
        ".then(c => c.match('/sessions/999999')).then(r => !r)",
    )
    assert f"/sessions/{story.id}" in pages_kept(page)
