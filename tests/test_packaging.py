"""The README's deploy (`pip install .`) works away from the checkout: a wheel built from a fresh
copy of the source, installed into its own virtualenv, migrates a database, serves the login page
in Vietnamese with its stylesheet, and prints a flyer and an attendance sheet."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

# Run by the installed app's own interpreter, from a folder outside the checkout.
SCRIPT = textwrap.dedent(
    """
    import json, sys
    import sqlalchemy as sa
    import planner
    from planner import create_app
    from planner.extensions import db
    from planner.sessions.models import OutreachSession
    from planner.accounts.models import User

    app = create_app({"WTF_CSRF_ENABLED": False, "PLANNER_PREPARE_FLYERS": False})
    facts = {"planner": planner.__file__}
    # The CLI command, in this process (one interpreter start less than `flask demo-data`).
    with app.app_context():
        facts["demo"] = app.test_cli_runner().invoke(args=["demo-data"]).output.strip()
    client = app.test_client()
    login = client.get("/login")
    facts["login"] = [login.status_code, "Đăng nhập" in login.get_data(as_text=True)]
    facts["css"] = client.get("/static/css/app.css").status_code
    signed_in = client.post("/login", data={"username": "mai", "password": "demo12345"})
    facts["signed_in"] = signed_in.status_code
    with app.app_context():
        mai = db.session.scalar(sa.select(User).where(User.username == "mai"))
        session_id = db.session.scalar(
            sa.select(OutreachSession.id).where(OutreachSession.office_id == mai.office_id).limit(1)
        )
    for name in ("flyer", "sheet"):
        response = client.get(f"/printing/sessions/{session_id}/{name}.pdf")
        facts[name] = [response.status_code, response.content_type, response.data[:5].decode()]
    print(json.dumps(facts))
    """
)


def _source_copy(target: Path) -> Path:
    """The checkout as a fresh clone has it: no compiled catalogs, caches, builds or instance."""
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", "*.mo", "instance", "tests", "bench"
    )
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def test_an_installed_wheel_migrates_serves_pages_and_prints_outside_the_checkout(tmp_path):
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANNER_", "PYTHON"))}
    base_env.pop("DATABASE_URL", None)
    source = _source_copy(tmp_path / "source")
    wheels = tmp_path / "wheels"
    # Offline and quick: the environment's own setuptools and Babel build it (dev dependencies).
    _run(
        sys.executable,
        *("-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet"),
        *("--wheel-dir", wheels, source),
        cwd=tmp_path,
        env=base_env,
    )
    (wheel,) = wheels.glob("planner-*.whl")

    # A fresh virtualenv that borrows the installed dependencies (not planner: the shared
    # environment's editable install is a finder its .pth would start, and this .pth does not).
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path, env=base_env)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            python,
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            cwd=tmp_path,
            env=base_env,
        ).strip()
    )
    (site / "shared-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(python, "-m", "pip", "install", "--no-deps", "--quiet", wheel, cwd=tmp_path, env=base_env)
    shutil.rmtree(source)  # nothing may be read from the copy it was built from

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {
        **base_env,
        "DATABASE_URL": f"sqlite:///{work / 'planner.db'}",
        "PLANNER_INSTANCE_PATH": str(work / "instance"),
        "PLANNER_SECRET_KEY": "packaging-test",
    }
    flask = (python, "-m", "flask", "--app", "planner")
    _run(*flask, "db", "upgrade", cwd=work, env=env)
    facts = json.loads(_run(python, "-c", SCRIPT, cwd=work, env=env).strip().splitlines()[-1])

    assert Path(facts["planner"]).is_relative_to(site), facts["planner"]
    assert facts["demo"] == "Loaded demo data."  # the rates CSV and talking points are there
    assert facts["login"] == [200, True]  # the template and the compiled Vietnamese catalog
    assert facts["css"] == 200
    assert facts["signed_in"] == 302
    assert facts["flyer"] == [200, "application/pdf", "%PDF-"]
    assert facts["sheet"] == [200, "application/pdf", "%PDF-"]
