"""newsbeam report: the page's SVG charts carry the dataset's numbers; it needs nothing from the
network; and headless Chromium draws it (skipped when Chromium is not installed)."""
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from pipelines.tools.report import OTHER, bar_chart_svg, render_report, report_data, stacked_columns_svg
from tests.conftest import run_cli
from tests.pipelines.tools.test_inspect import ARTICLES, REJECTS, write_output

SVG = "{http://www.w3.org/2000/svg}"
COLORS = {"published": "#4e79a7", "per-day": "#4e79a7", "languages": "#59a14f", "boilerplate": "#f28e2b",
          "rejects": "#e15759"}


@pytest.fixture
def output(tmp_path):
    return write_output(tmp_path / "out")


def sections(page):
    """{section id: parsed <svg>} for every chart on the page."""
    found = {}
    for section_id, body in re.findall(r"<section id='([\w-]+)'>(.*?)</section>", page, re.S):
        svg = re.search(r"<svg .*?</svg>", body, re.S)
        if svg:
            found[section_id] = ET.fromstring(svg.group(0))
    return found


def values(svg, tag, attribute="data-label"):
    return {el.get(attribute): int(el.get("data-value")) for el in svg.iter(f"{SVG}{tag}") if el.get("data-value")}


def test_charts_carry_the_numbers(output):
    page = render_report(report_data(str(output)))
    charts = sections(page)
    assert set(charts) == set(COLORS)
    segments = [el for el in charts["per-day"].iter(f"{SVG}rect") if el.get("class") == "seg"]
    per_day = Counter()
    for el in segments:
        per_day[(el.get("data-day"), el.get("data-source"))] += int(el.get("data-value"))
    assert per_day == Counter((dt, source) for dt, source, *_ in ARTICLES)
    assert values(charts["languages"], "g") == {"en": 3, "de": 1, "fr": 1, "und": 1}
    assert values(charts["boilerplate"], "g") == Counter(rule for *_, rules, _ in ARTICLES for rule in rules)
    assert values(charts["rejects"], "g") == Counter(f"{stage}/{reason}" for _, stage, reason, _ in REJECTS)
    published = Counter(el.get("data-day") for el in charts["published"].iter(f"{SVG}rect") if el.get("class") == "seg")
    assert published == Counter(p.date().isoformat() for *_, p in ARTICLES if p is not None)


def test_quality_per_source_and_the_runs_trend(output):
    data = report_data(str(output))
    by_source = {q["source"]: q for q in data["quality"]}
    assert by_source["example.org"]["articles"] == 3 and by_source["example.org"]["published_at"] == 1.0
    assert by_source["zeitung.de"]["published_at"] == 0.0 and by_source["local"]["language"] == 0.0
    assert by_source["example.org"]["with_boilerplate"] == 1.0 and by_source["zeitung.de"]["with_boilerplate"] == 0.0
    assert data["published_per_day"]["undated"] == 2
    page = render_report(data)
    assert "<h2>Quality per source</h2>" in page and "data-share='1.000'" in page


def test_rule_families_count_language_variants_together():
    from pipelines.tools.quality import LANGUAGE_SUFFIX
    assert [LANGUAGE_SUFFIX.sub("", r) for r in ("newsletter_de", "newsletter", "tabloid_tag_fr", "ad_marker")] == [
        "newsletter", "newsletter", "tabloid_tag", "ad_marker"]


def test_page_is_self_contained(output):
    page = render_report(report_data(str(output)))
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    lowered = page.lower()
    for forbidden in ("<script", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe"):
        assert forbidden not in lowered, forbidden
    assert set(re.findall(r"https?://[^'\" >]+", page)) == {"http://www.w3.org/2000/svg"}  # a namespace, not a fetch
    assert "6</div><div class='label'>articles" in page and "3</div><div class='label'>rejected" in page


def test_bar_chart_escapes_and_shortens_labels():
    svg = bar_chart_svg([("<b>&" + "x" * 40, 3), ("y", 1)], "t")
    root = ET.fromstring(svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels[0].startswith("<b>&x") and labels[0].endswith("\u2026") and len(labels[0]) == 30
    assert values(root, "g") == {"<b>&" + "x" * 40: 3, "y": 1}


def test_many_sources_fold_into_other():
    per_day = {"2024-03-01": {f"s{i:02d}": 20 - i for i in range(15)}}
    root = ET.fromstring(stacked_columns_svg(per_day, "t"))
    sources = [el.get("data-source") for el in root.iter(f"{SVG}rect") if el.get("class") == "seg"]
    assert len(sources) == 10 and sources[-1] == OTHER
    assert sum(int(el.get("data-value")) for el in root.iter(f"{SVG}rect") if el.get("class") == "seg") == \
        sum(per_day["2024-03-01"].values())


def test_empty_output_says_nothing_to_show(tmp_path):
    (tmp_path / "out" / "_runs").mkdir(parents=True)
    (tmp_path / "out" / "_runs" / "r.json").write_text("{}")
    page = render_report(report_data(str(tmp_path / "out")))
    assert page.count("Nothing to show.") == 6 and "<svg" not in page


def test_cli_writes_the_page(output, tmp_path):
    target = tmp_path / "mail" / "report.html"
    result = run_cli("report", str(output), "--html", str(target))
    assert result.returncode == 0, result.stderr.decode()
    assert str(target) in result.stdout.decode()
    assert sections(target.read_text("utf-8")).keys() == COLORS.keys()


def test_cli_without_a_folder_is_a_usage_error(tmp_path):
    result = run_cli("report", cwd=tmp_path)
    err = result.stderr.decode().strip()
    assert result.returncode == 2 and len(err.splitlines()) == 1 and "dir" in err, err


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_headless_chromium_draws_every_chart(output, tmp_path):
    page = tmp_path / "report.html"
    assert run_cli("report", str(output), "--html", str(page)).returncode == 0
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,2400",
                    page.as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = pytest.importorskip("PIL.Image").open(shot).convert("RGB")
    pixels = {rgb: count for count, rgb in image.getcolors(maxcolors=1 << 24)}
    for section, color in COLORS.items():  # each chart's bars were painted
        rgb = tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
        assert pixels.get(rgb, 0) > 200, (section, pixels.get(rgb, 0))


def test_report_without_html_writes_the_default_page_in_the_working_folder(output, tmp_path):
    result = run_cli("report", str(output), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "newsbeam-report.html").read_text().lstrip().lower().startswith("<!doctype html")
