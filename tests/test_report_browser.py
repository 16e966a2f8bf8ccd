"""The HTML report renders in a real browser: headless Chromium loads it, draws the charts.

Skipped unless a Chromium (or Chrome) binary is on PATH. Nothing here touches the network:
the report is a self-contained local file and Chromium runs with its background services off.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import write_csv

BROWSER = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium binary on PATH")

PROGRAM_NAME = "Test Program"
TIMEOUT_S = 60
PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Bio
meg@example.org,Meg Okafor,Mentor,50,,"Career change, Networking",English,UTC,1,Acme,Twenty years in HR
raj@example.org,Raj Lindqvist,Mentor,45,,"Career change, Interview preparation",English,UTC+1,1,Globex,
ann@example.org,Ann Brenner,Mentee,30,"Career change, Networking",,English,UTC,,Initech,Nurse
bo@example.org,Bo Castell,Mentee,28,Interview preparation,,English,UTC+1,,Umbrella,
cy@example.org,Cy Dunmore,Mentee,33,Networking,,English,UTC,,Hooli,
"""


@pytest.fixture
def report_html(workspace: Path, cli, tmp_path: Path) -> Path:
    """An HTML report of a small program with two introduced pairs."""
    csv_file = write_csv(workspace / "people.csv", PEOPLE)
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    assert cli("introduce", "-w", workspace).exit_code == 0
    out = tmp_path / "report.html"
    result = cli(
        "report", "-w", workspace, "--format", "html", "--out", out, "--today", "2026-03-10"
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 0
    return out


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        str(BROWSER),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={profile}",
        *args,
    ]
    try:
        return subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            cwd=tmp_path,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # pragma: no cover - depends on the machine
        pytest.fail(f"chromium did not finish in {TIMEOUT_S} s: {exc.stderr!r}"[-2000:])


def test_report_html_renders_in_chromium(report_html: Path, tmp_path: Path) -> None:
    url = report_html.resolve().as_uri()

    dumped = _chromium(tmp_path, "--dump-dom", url)
    assert dumped.returncode == 0, f"chromium --dump-dom failed: {dumped.stderr[-2000:]}"
    dom = dumped.stdout
    assert "<svg" in dom, f"no <svg> in the rendered DOM: {dom[:500]!r} {dumped.stderr[-500:]}"
    assert PROGRAM_NAME in dom

    shot = tmp_path / "report.png"
    taken = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", url)
    assert taken.returncode == 0, f"chromium --screenshot failed: {taken.stderr[-2000:]}"
    assert shot.is_file(), f"no screenshot written: {taken.stderr[-2000:]}"
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 5 * 1024, f"screenshot is only {len(data)} bytes"


def _dom(tmp_path: Path, page: Path) -> str:
    dumped = _chromium(tmp_path, "--dump-dom", page.resolve().as_uri())
    assert dumped.returncode == 0, f"chromium --dump-dom failed: {dumped.stderr[-2000:]}"
    return dumped.stdout


def test_admin_and_anonymous_reports_in_chromium(
    workspace: Path, cli, tmp_path: Path, report_html: Path
) -> None:
    """Both pages render; the admin's names people and shows notes, the anonymous one neither."""
    noted = cli(
        "checkin", "-w", workspace, "--record", "M1", "--person", "P3", "--week", "1",
        "--answer", "met=yes", "--answer", "note=We met at the library",
    )  # fmt: skip
    assert noted.exit_code == 0, noted.output
    pages = {}
    for kind, extra in (("admin", ()), ("anonymous", ("--anonymous",))):
        out = tmp_path / f"{kind}.html"
        args = ("report", "-w", workspace, "--format", "html", "--out", out)
        result = cli(*args, "--today", "2026-03-10", *extra)
        assert result.exit_code == 0, result.output
        pages[kind] = _dom(tmp_path, out)
    admin, anonymous = pages["admin"], pages["anonymous"]
    for dom in (admin, anonymous):
        assert "<h2>At a glance</h2>" in dom and "Active pairs" in dom
        assert "Outcomes by week" in dom and dom.count("<svg") == 3
    assert "<h2>Pairs</h2>" in admin and "Ann Brenner (P3)" in admin
    assert "We met at the library" in admin
    assert "<h2>Pairs</h2>" not in anonymous
    for secret in ("Ann", "Brenner", "Meg", "We met at the library", "example.org", "P3", "M1"):
        assert secret not in anonymous, secret
    # Printed, the admin's page is laid out on A4 (595 x 842 points).
    pdf = tmp_path / "admin.pdf"
    printed = _chromium(
        tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
        (tmp_path / "admin.html").resolve().as_uri(),
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]\.?\d* 84[12]\.?\d*\s*\]", data), data[:400]
