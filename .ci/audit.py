"""Dependency audit: fail on a known vulnerability; say so plainly when no advisory source answers.

pip-audit asks PyPI's JSON API for advisories. Where that API is not reachable (a mirror without
it, no network), every package comes back unaudited: that is reported, not passed off as clean.
"""

import json
import subprocess
import sys
from pathlib import Path

pip_audit = Path(sys.executable).parent / "pip-audit"
done = subprocess.run(  # noqa: S603
    [str(pip_audit), "--format", "json", "--progress-spinner", "off", "--skip-editable"],
    capture_output=True,
    text=True,
    check=False,
)
try:
    report = json.loads(done.stdout)
except ValueError:
    print(f"== dependency audit: pip-audit did not answer ({done.stderr.strip()[-300:]})")
    sys.exit(0)
dependencies = report.get("dependencies", [])
audited = [d for d in dependencies if "skip_reason" not in d]
vulnerable = [d for d in audited if d.get("vulns")]
for dependency in vulnerable:
    for vuln in dependency["vulns"]:
        fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
if not audited:
    print(
        f"== dependency audit: the advisory source did not answer for any of {len(dependencies)} "
        "packages from here; nothing was audited"
    )
    sys.exit(0)
print(f"== dependency audit: {len(audited)} packages audited, {len(vulnerable)} vulnerable")
sys.exit(1 if vulnerable else 0)
