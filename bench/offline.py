"""What a phone on a slow link pays for the week page, and what offline use adds.

Run: .venv/bin/python bench/offline.py [--runs 5] [--port 5153] [--lighthouse PATH]

Seeds the demo office into a temp SQLite file, serves the app on 127.0.0.1:PORT (the same app
`make run` serves: it compresses its own answers) and prints:
- the first load of the week page for an officer: HTML, CSS and JS as sent gzip-compressed
  (no fonts: the pages use the phone's own), against the issue's budget of 60 KB;
- the offline script, queue and worker as sent compressed, against the budget of 20 KB;
- the time until the week page is usable (DOMContentLoaded: HTML parsed, CSS loaded, deferred
  scripts run) in Debian's chromium on DevTools' "Slow 3G" (2 s latency, 400 kbit/s each way,
  set by CDP Network.emulateNetworkConditions): cold (no HTTP cache, no service worker), warm
  (static files in the HTTP cache) and offline (the week as the worker kept it); medians of
  --runs and the ratio of each to cold.
- with --lighthouse PATH (a `lighthouse` CLI from npm), its mobile performance and
  accessibility scores for the week, session, attendance and follow-ups pages: medians of
  --lighthouse-runs (3), the metrics behind the score (FCP, LCP, TBT, CLS, SI), Lighthouse's
  benchmarkIndex of each run (the score depends on the machine's CPU: on a loaded machine TBT
  grows for any page, a blank one too) and the audits that cost points; --lighthouse-json DIR
  keeps each report, --lighthouse-only skips the sizes and Slow 3G timings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from werkzeug.serving import make_server

from planner import create_app
from planner.demo import DEMO_PASSWORD, load_demo_data
from planner.extensions import db
from planner.rates.services import seed_national_rates

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# Chrome DevTools' "Slow 3G" preset (its 400 ms scaled by 5, 500 kbit/s scaled by 0.8).
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}
FIRST_LOAD_BUDGET = 60 * 1024
OFFLINE_BUDGET = 20 * 1024


def build_app(folder: str):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "PLANNER_CACHE_DIR": f"{folder}/cache",
            "PLANNER_PREPARE_FLYERS": False,
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        seed_national_rates()
        load_demo_data()
        db.session.commit()
    return app


def compressed_sizes(app) -> tuple[dict[str, int], dict[str, int]]:
    """(week page's HTML, CSS and JS; offline scripts and worker): bytes as sent gzip-compressed."""
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    client.post(
        "/login",
        data={"username": "mai", "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
    )
    gz = {"Accept-Encoding": "gzip"}

    def size(url: str) -> int:
        with client.get(url, headers=gz) as response:
            assert response.status_code == 200, url
            body = response.get_data()
            if response.headers.get("Content-Encoding") != "gzip":
                body = gzip.compress(body)  # (small answers are sent plain: count them packed)
            return len(body)

    with client.get("/", headers=gz) as response:
        html = gzip.decompress(response.get_data()).decode()
    first = {"/ (HTML)": size("/")}
    for url in re.findall(r'<(?:link rel="stylesheet"|script) (?:href|src)="([^"]+)"', html):
        first[url] = size(url)
    offline = {
        url: size(url)
        for url in ("/static/offline/offline.js", "/static/offline/queue.js", "/sw.js")
    }
    return first, offline


def serve(app, port: int):
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def usable_ms(page, url: str) -> float:
    page.goto(url, wait_until="domcontentloaded", timeout=120_000)
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.domContentLoadedEventEnd - n.startTime; })()"
    )
    return float(timing)


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "mai")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def slow_3g(context, page, cache: bool) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": not cache})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)


def timings(base: str, runs: int) -> dict[str, float]:
    """Cold: a new phone (no HTTP cache, no worker). Warm: the static files in the HTTP cache,
    the HTML over the slow link (the worker is left out: CDP throttles the page's own requests,
    not the ones a worker makes). Offline: no link at all, the week as the worker kept it."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {"cold": [], "warm HTTP cache": [], "offline (kept)": []}
    phone = {"viewport": {"width": 390, "height": 844}, "locale": "vi-VN"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for _run in range(runs):
            context = browser.new_context(**phone, service_workers="block")
            page = context.new_page()
            log_in(page, base)
            slow_3g(context, page, cache=False)
            results["cold"].append(usable_ms(page, f"{base}/"))
            slow_3g(context, page, cache=True)
            usable_ms(page, f"{base}/")
            results["warm HTTP cache"].append(usable_ms(page, f"{base}/"))
            context.close()
            context = browser.new_context(**phone)
            page = context.new_page()
            log_in(page, base)
            page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=120_000)
            context.set_offline(True)
            results["offline (kept)"].append(usable_ms(page, f"{base}/"))
            context.close()
        browser.close()
    return {name: statistics.median(values) for name, values in results.items()}


# The metrics Lighthouse 12 weighs into its mobile performance score, and how it prints them.
LH_METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}


def logged_in_cookie(base: str) -> tuple[str, str]:
    """(the Cookie header of an officer logged in on the served app, the week page's HTML)."""
    import urllib.parse
    import urllib.request
    from http.cookiejar import CookieJar

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": "mai", "password": DEMO_PASSWORD, "csrf_token": token}
    ).encode()
    opener.open(f"{base}/login", data=data).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, opener.open(f"{base}/").read().decode()


def lighthouse_report(cli: str, url: str, cookie: str) -> dict | str:
    """One Lighthouse run on `url`: its JSON report, or the error it printed (a str)."""
    out = subprocess.run(  # noqa: S603 (a CLI the user named, with our own arguments)
        [
            cli,
            url,
            "--quiet",
            "--output=json",
            "--only-categories=performance,accessibility",
            f"--chrome-path={CHROMIUM}",
            "--chrome-flags=--headless=new " + " ".join(ARGS),
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        return out.stderr.strip()[:200] or f"exit {out.returncode}, no report"


def report_summary(report: dict) -> dict:
    """The figures of one report: scores (0-100), metrics (ms; CLS unitless), the machine's
    benchmarkIndex, and the ids of the audits that cost points (score below 1, weighed in)."""
    audits = report["audits"]
    failing = {}
    for name, category in report["categories"].items():
        failing[name] = sorted(
            ref["id"]
            for ref in category["auditRefs"]
            if ref["weight"] > 0 and audits[ref["id"]]["score"] not in (None, 1)
        )
    # Opportunities and diagnostics carry no weight; list those Lighthouse marks as failed.
    failing["perf-hints"] = sorted(
        ref["id"]
        for ref in report["categories"]["performance"]["auditRefs"]
        if ref["weight"] == 0
        and audits[ref["id"]]["scoreDisplayMode"] in ("metricSavings", "numeric", "binary")
        and audits[ref["id"]]["score"] is not None
        and audits[ref["id"]]["score"] < 0.9
    )
    return {
        "scores": {k: round(v["score"] * 100) for k, v in report["categories"].items()},
        "metrics": {short: audits[key]["numericValue"] for key, short in LH_METRICS.items()},
        "benchmark_index": report["environment"]["benchmarkIndex"],
        "failing": failing,
    }


def lighthouse(cli: str, base: str, runs: int, keep: str | None) -> None:
    """Mobile performance and accessibility of the officer's offline pages (needs a cookie):
    medians of `runs` Lighthouse runs per page, with the metrics and benchmarkIndex that explain
    them (the score depends on the machine's CPU), and the audits that cost points."""
    cookie, week = logged_in_cookie(base)
    session = re.search(r'href="(/sessions/\d+)"', week)
    pages = {"week": "/", "follow-ups": "/follow-ups/"}
    if session:
        pages["session"] = session.group(1)
        pages["attendance"] = f"{session.group(1)}/attendance"
    print(
        f"\nLighthouse (mobile, Debian chromium), median of {runs}: performance / accessibility;"
        " metrics in ms (CLS unitless); benchmarkIndex (the machine's CPU: higher is faster)"
    )
    for name, path in pages.items():
        summaries = []
        for run in range(runs):
            report = lighthouse_report(cli, f"{base}{path}", cookie)
            if isinstance(report, str):
                print(f"  {name}: lighthouse failed: {report}")
                continue
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                Path(keep, f"{name}-{run + 1}.json").write_text(json.dumps(report))
            summaries.append(report_summary(report))
        if not summaries:
            continue

        perf = statistics.median(s["scores"]["performance"] for s in summaries)
        a11y = statistics.median(s["scores"]["accessibility"] for s in summaries)
        middle = {
            k: statistics.median(s["metrics"][k] for s in summaries) for k in LH_METRICS.values()
        }
        metrics = "  ".join(
            f"{k} {value:.3f}" if k == "CLS" else f"{k} {value:.0f}" for k, value in middle.items()
        )
        runs_text = ",".join(str(s["scores"]["performance"]) for s in summaries)
        bench = ",".join(f"{s['benchmark_index']:.0f}" for s in summaries)
        print(f"  {name:<11} {perf:>4.0f} / {a11y:.0f}  (runs {runs_text})  {metrics}")
        print(f"  {'':<11} benchmarkIndex {bench}")
        for kind in ("performance", "accessibility", "perf-hints"):
            ids = sorted({i for s in summaries for i in s["failing"][kind]})
            if ids:
                print(f"  {'':<11} {kind} audits below 1: {', '.join(ids)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=5153)
    parser.add_argument("--lighthouse", help="path of a lighthouse CLI (npm)")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="runs per page (median)")
    parser.add_argument("--lighthouse-json", metavar="DIR", help="keep each JSON report in DIR")
    parser.add_argument(
        "--lighthouse-only", action="store_true", help="skip the sizes and Slow 3G timings"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder)
        if not options.lighthouse_only:
            print_sizes(app)
        server, thread = serve(app, options.port)
        base = f"http://127.0.0.1:{options.port}"
        try:
            if not options.lighthouse_only:
                medians = timings(base, options.runs)
                print(
                    f"Time until the week page is usable on Slow 3G (DOMContentLoaded, median of "
                    f"{options.runs}):"
                )
                cold = medians["cold"]
                for name, value in medians.items():
                    print(f"  {name:<20} {value:>8.0f} ms  ({value / cold:.2f}x cold)")
            if options.lighthouse:
                lighthouse(
                    options.lighthouse, base, options.lighthouse_runs, options.lighthouse_json
                )
        finally:
            server.shutdown()
            thread.join(timeout=5)


def print_sizes(app) -> None:
    """The first load's and the offline scripts' bytes against the issue's budgets."""
    first, offline = compressed_sizes(app)
    _print_budget("First load of the week page (officer)", first, "60 KiB", FIRST_LOAD_BUDGET)
    _print_budget("Offline script, queue and worker", offline, "20 KiB", OFFLINE_BUDGET)


def _print_budget(title: str, sizes: dict[str, int], budget_label: str, budget: int) -> None:
    print(f"{title}, bytes as sent gzip-compressed:")
    for url, size in sizes.items():
        print(f"  {url:<40} {size:>7,}")
    total = sum(sizes.values())
    print(
        f"  {'total':<40} {total:>7,}  ({total / 1024:.1f} KiB; budget {budget_label}: "
        f"{'met' if total <= budget else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
