"""Time printed matter against two WeasyPrint floors; prints medians and ratios, not a verdict.

Floors: a blank A4 page, and the same 40 rows as a bare HTML table with no styling.
Targets (issue #5): flyer within 3x the blank page; 40-row sheet within 1.5x the bare table and
under 0.5 s; a 15-session packet under 10 s; a cached re-print under 50 ms.

A flyer is two layers: a body (talking points, costs) shared by every session on the same
topics, language and rates, which the app renders in a job after each change; and the
session's own details. The flyer an officer prints lays out only the details, over a prepared
body: the bench prints sessions nobody printed before, each in its own app context as a
request does, in turns with the blank page (the ratio is the target), then again in processor
time (steadier when other work shares the machine). It also shows the body alone and a flyer
with nothing prepared.

Run: .venv/bin/python bench/pdf.py [--runs N]
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from pypdf import PdfReader
from weasyprint import HTML

from bench.timing import median_ms, medians_in_turns_ms
from planner import create_app
from planner.demo import DEMO_PASSWORD, load_demo_data
from planner.extensions import db
from planner.rates.services import seed_national_rates


def bare_table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<html><body><table>{cells}</table></body></html>"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "PLANNER_CACHE_DIR": str(cache),
            }
        )
        with app.app_context(), app.test_request_context():
            from flask_babel import force_locale

            from planner.accounts.models import User
            from planner.places.models import Venue
            from planner.printing import flyer, jobs, render, settings, sheet, talking_points
            from planner.printing.models import JobKind, JobStatus, PrintJob
            from planner.scope import Scope, ScopeKind
            from planner.sessions.days import monday_of
            from planner.sessions.drafts import SessionDraft
            from planner.sessions.models import OutreachSession
            from planner.sessions.planning import create_sessions
            from planner.timezones import today_local

            upgrade(directory=app.extensions["migrate"].directory)
            seed_national_rates()
            office = load_demo_data()
            talking_points.seed_talking_points()
            db.session.commit()

            officer = db.session.scalar(db.select(User).where(User.username == "mai"))
            venue = db.session.scalars(db.select(Venue).where(Venue.office_id == office.id)).first()
            # A Monday with nothing planned yet, so the packet holds exactly 15 sessions.
            monday = monday_of(today_local()) + timedelta(weeks=8)
            spare = settings.print_settings(office.id).spare_rows

            def plan(kind: str, day, start: clock, hours: int, title: str, **extra):
                draft = SessionDraft(
                    kind=kind,
                    topic="both",
                    day=day,
                    start=start,
                    end=clock(start.hour + hours),
                    commune_id=venue.commune_id,
                    venue_id=venue.id,
                    lead_officer_id=officer.id,
                    title=title,
                    **extra,
                )
                return create_sessions(office.id, draft, officer)[0]

            week = [
                plan(
                    "village_meeting",
                    monday + timedelta(days=n % 7),
                    clock(7 + (n // 7) * 3),
                    2,
                    f"Họp thôn tuyên truyền BHXH tự nguyện số {n + 1}",
                    expected_attendance=40 - spare,
                )
                for n in range(15)
            ]
            db.session.commit()
            session = week[0]

            def clear_cache() -> None:
                shutil.rmtree(cache, ignore_errors=True)

            with force_locale("vi"):
                # Floors: plain WeasyPrint, default fonts, no app code.
                # The blank page is cheap and noisy: sample it more.
                def blank_page() -> None:
                    HTML(string="<html><body></body></html>").write_pdf()

                blank = median_ms(blank_page, runs * 5, warm=True)
                rows = [
                    [
                        str(i),
                        "Giàng Thị Sua",
                        "1985",
                        "Nữ",
                        "H'Mông",
                        "Na Hối",
                        "0912 345 678",
                        "Làm ruộng",
                        "",
                        "",
                        "",
                        "",
                    ]
                    for i in range(1, 41)
                ]

                def table_page() -> None:
                    HTML(string=bare_table(rows)).write_pdf()

                table = median_ms(table_page, runs, warm=True)

                def flyer_uncached() -> None:
                    clear_cache()
                    flyer.flyer_pdf(session)

                def body_only() -> None:
                    clear_cache()
                    flyer.prepare_flyer_body(session)

                def sheet_uncached() -> None:
                    clear_cache()
                    version, _pdf = sheet.attendance_sheet(session)
                    assert version.page_count >= 1

                flyer_ms = median_ms(flyer_uncached, runs, warm=True)
                body = median_ms(body_only, runs, warm=True)
                # Sessions nobody printed yet, on the topics of one prepared body, a month on:
                # enough for both timings below, each with its warm round.
                later = [
                    plan(
                        "market",
                        monday + timedelta(weeks=4, days=n % 7),
                        clock(6 + n % 12),
                        1,
                        f"Chợ phiên số {n + 1}",
                    )
                    for n in range(2 * (runs * 3 + 1))
                ]
                db.session.commit()
                unprinted = iter([s.id for s in later])

                def flyer_new_session() -> None:
                    # As a request prints it: its own app context, database session and lookups.
                    with app.app_context():
                        flyer.flyer_pdf(db.get_or_404(OutreachSession, next(unprinted)))

                flyer.prepare_flyer_body(later[0])
                # In turns with the blank page: the ratio is the target, and both meet the
                # same noise.
                flyer_layer, blank_in_turns = medians_in_turns_ms(
                    [flyer_new_session, blank_page], runs * 3
                )
                # The same in processor time, which leaves out the time a render waits for a
                # core: on a machine busy with other work the wall-time ratio swings (2.2x to
                # 3.2x for the same code), this one much less.
                flyer_cpu, blank_cpu = medians_in_turns_ms(
                    [flyer_new_session, blank_page], runs * 3, clock=time.process_time
                )
                db.session.rollback()
                sheet_ms = median_ms(sheet_uncached, runs, warm=True)
                _version, sheet_pdf = sheet.attendance_sheet(session)
                db.session.commit()

                def packet() -> PrintJob:
                    job = jobs.PrintJob(
                        id=jobs.secrets.token_hex(16),
                        office_id=office.id,
                        user_id=officer.id,
                        kind=JobKind.PACKET,
                        params_json=json.dumps(
                            {
                                "monday": monday.isoformat(),
                                "scope": Scope(
                                    ScopeKind.MINE,
                                    office.id,
                                    officer_ids=frozenset({officer.id}),
                                    title="bench",
                                ).to_params(),
                            }
                        ),
                        filename="bench.pdf",
                    )
                    db.session.add(job)
                    db.session.commit()
                    jobs.run_job(job.id)
                    job = db.session.get(PrintJob, job.id)
                    assert job.status == JobStatus.DONE, job.error
                    return job

                def packet_uncached() -> None:
                    clear_cache()
                    packet()

                packet_runs = max(3, runs // 2)
                packet_cold = median_ms(packet_uncached, packet_runs, warm=True)
                job = packet()
                packet_pages = len(PdfReader(BytesIO(render.cached(job.pdf_key))).pages)
                packet_warm = median_ms(packet, runs, warm=True)

            # Cached re-prints as an officer gets them: through the app, logged in.
            client = app.test_client()
            client.post("/login", data={"username": "mai", "password": DEMO_PASSWORD})
            flyer_url = f"/printing/sessions/{session.id}/flyer.pdf"
            sheet_url = f"/printing/sessions/{session.id}/sheet.pdf"
            assert client.get(flyer_url).status_code == 200
            assert client.get(sheet_url).status_code == 200
            flyer_cached = median_ms(lambda: client.get(flyer_url), runs * 3, warm=True)
            sheet_cached = median_ms(lambda: client.get(sheet_url), runs * 3, warm=True)

        sheet_pages = len(PdfReader(BytesIO(sheet_pdf)).pages)
        print(
            f"runs per figure: {runs} (new flyer: {runs * 3}, packet cold: {packet_runs}); medians"
        )
        print(f"floor  blank A4 page ............ {blank:8.1f} ms")
        print(f"floor  bare 40-row table ........ {table:8.1f} ms ({table / blank:.1f}x blank)")
        print(
            f"flyer of a new session .......... {flyer_layer:8.1f} ms = "
            f"{flyer_layer / blank_in_turns:.2f}x blank (target <= 3x; body prepared after the "
            f"last change; in turns with the blank page, {blank_in_turns:.1f} ms)"
        )
        print(
            f"  the same, processor time ...... {flyer_cpu:8.1f} ms = "
            f"{flyer_cpu / blank_cpu:.2f}x blank (in turns, {blank_cpu:.1f} ms)"
        )
        print(
            f"flyer body alone (in a job) ..... {body:8.1f} ms = {body / blank:.2f}x blank "
            "(once per topics, language and rates)"
        )
        print(
            f"flyer, nothing prepared ......... {flyer_ms:8.1f} ms = {flyer_ms / blank:.2f}x blank "
            "(the first of its kind with preparation off)"
        )
        print(
            f"attendance sheet, 40 rows ....... {sheet_ms:8.1f} ms = "
            f"{sheet_ms / table:.2f}x bare table "
            f"(target <= 1.5x, < 500 ms); {sheet_pages} pages"
        )
        print(
            f"packet, 15 sessions (uncached) .. {packet_cold:8.1f} ms; {packet_pages} pages "
            "(target < 10 s)"
        )
        print(f"packet, 15 sessions (cached) .... {packet_warm:8.1f} ms")
        print(f"flyer re-print (cached, GET) .... {flyer_cached:8.1f} ms (target < 50 ms)")
        print(f"sheet re-print (cached, GET) .... {sheet_cached:8.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
