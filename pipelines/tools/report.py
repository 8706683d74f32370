"""``newsbeam report DIR --html FILE``: one self-contained HTML page with charts.

The page has inline CSS and inline SVG charts drawn here in Python: no scripts,
no fonts or images to fetch, so it opens from an e-mail attachment offline.
Sections: quality per source (share of articles with a title, authors, a date, a language, a
summary; median words; boilerplate and near-duplicate shares), articles per publication day
and per ingest partition, languages, boilerplate removed per rule family, the site lines
learned, rejects per reason, and the runs' trend (reject and duplicate rates); each chart
with its numbers beneath. The numbers are aggregated out of core by DuckDB (``quality``).
"""
import html
import os
from datetime import datetime, timezone
from importlib import resources
from string import Template
from typing import Dict, List, Sequence, Tuple

from pipelines.tools.inspect import articles_dataset, file_facts, learned_section, open_output, rejected_by_reason, runs_section
from pipelines.tools.quality import dataset_rows, published_per_day, quality_by_source, rule_families, run_trend
from pipelines.errors import InputError
from schemas.layout import ARTICLES, REJECTED

__all__ = ["report_data", "render_report", "write_report", "bar_chart_svg", "stacked_columns_svg"]

TEMPLATE = "report.html"  # pipelines/templates/, package data
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
OTHER = "other"
MAX_SOURCES = 9  # the rest are stacked as "other"
MAX_BARS = 20
FONT = "font-family='Helvetica, Arial, sans-serif'"


# --------------------------------------------------------------------------- data


def per_day_source(dataset) -> Dict[str, Dict[str, int]]:
    """{dt: {source: articles}}: the dt partition (the ingest date unless partition.date is published)."""
    per: Dict[str, Dict[str, int]] = {}
    for day, source, n in dataset_rows(dataset, "SELECT CAST(dt AS VARCHAR), CAST(source AS VARCHAR), count(*) "
                                                "FROM articles GROUP BY 1, 2 ORDER BY 1"):
        per.setdefault(day, {})[source] = n
    return per


def language_counts(dataset) -> Dict[str, int]:
    rows = dataset_rows(dataset, "SELECT coalesce(NULLIF(language, ''), 'und'), count(*) FROM articles "
                                 "GROUP BY 1 ORDER BY 2 DESC, 1")
    return dict(rows)


def report_data(location: str) -> dict:
    """Everything the page shows, as plain numbers (aggregated out of core, ``quality``)."""
    out = open_output(location)
    dataset = articles_dataset(out)
    articles, rejected = file_facts(out, ARTICLES), file_facts(out, REJECTED)
    runs = runs_section(out)
    return {
        "location": location,
        "articles": articles["rows"],
        "rejected": rejected["rows"],
        "files": articles["files"] + rejected["files"],
        "runs": runs,
        "trend": run_trend(runs),
        "per_day_source": per_day_source(dataset),
        "published_per_day": published_per_day(dataset),
        "quality": quality_by_source(dataset),
        "languages": language_counts(dataset),
        "rule_families": rule_families(dataset),
        "site_lines": learned_section(out),
        "rejects": {reason: stats["count"] for reason, stats in rejected_by_reason(out).items()},
    }


# --------------------------------------------------------------------------- svg


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _nice_max(value: int) -> int:
    """A round axis maximum >= value that splits into five whole-number steps."""
    if value <= 5:
        return 5
    if value <= 10:
        return 10
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if factor * step >= value:
            return int(factor * step)
    return 10 * step  # pragma: no cover


def bar_chart_svg(items: Sequence[Tuple[str, int]], label: str, color: str = PALETTE[0], width: int = 640) -> str:
    """Horizontal bars, one per (name, value), largest first, value printed at the bar's end."""
    items = list(items)[:MAX_BARS]
    row, top, label_w, value_w = 24, 8, 210, 70
    height = top * 2 + row * len(items)
    scale = (width - label_w - value_w) / max([v for _, v in items] + [1])
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' class='chart' role='img' aria-label='{_esc(label)}' "
             f"width='{width}' height='{height}' viewBox='0 0 {width} {height}' {FONT} font-size='13'>"]
    for index, (name, value) in enumerate(items):
        y = top + index * row
        bar = max(1.0, value * scale)
        shown = name if len(name) <= 30 else name[:29] + "\u2026"
        parts.append(
            f"<g class='bar' data-label='{_esc(name)}' data-value='{value}'><title>{_esc(name)}: {value:,}</title>"
            f"<text x='{label_w - 8}' y='{y + 16}' text-anchor='end' fill='#222'>{_esc(shown)}</text>"
            f"<rect x='{label_w}' y='{y + 3}' width='{bar:.1f}' height='{row - 7}' rx='2' fill='{color}'/>"
            f"<text x='{label_w + bar + 6:.1f}' y='{y + 16}' fill='#444'>{value:,}</text></g>")
    parts.append("</svg>")
    return "".join(parts)


def _stack_series(per_day: Dict[str, Dict[str, int]]) -> List[Tuple[str, List[int]]]:
    """[(source, counts per day)], the biggest sources first, the rest folded into "other"."""
    totals = {}
    for counts in per_day.values():
        for source, n in counts.items():
            totals[source] = totals.get(source, 0) + n
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    keep = ranked if len(ranked) <= MAX_SOURCES + 1 else ranked[:MAX_SOURCES]
    series = [(s, [per_day[d].get(s, 0) for d in per_day]) for s in keep]
    rest = [s for s in ranked if s not in keep]
    if rest:
        series.append((OTHER, [sum(per_day[d].get(s, 0) for s in rest) for d in per_day]))
    return series


def stacked_columns_svg(per_day: Dict[str, Dict[str, int]], label: str, width: int = 880) -> str:
    """One column per day that has articles, stacked by source, with a y axis and a legend."""
    days = list(per_day)
    series = _stack_series(per_day)
    left, right, top, plot_h, axis_h = 56, 16, 12, 260, 70
    legend_rows = (len(series) + 2) // 3
    height = top + plot_h + axis_h + legend_rows * 22
    plot_w = width - left - right
    y_max = _nice_max(max(sum(c.values()) for c in per_day.values()))
    slot = plot_w / len(days)
    bar_w = max(2.0, min(48.0, slot * 0.7))
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' class='chart' role='img' aria-label='{_esc(label)}' "
             f"width='{width}' height='{height}' viewBox='0 0 {width} {height}' {FONT} font-size='12'>"]
    for tick in range(6):  # gridlines and y labels
        value = y_max * tick / 5
        y = top + plot_h - plot_h * tick / 5
        parts.append(f"<line x1='{left}' x2='{width - right}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>"
                     f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' fill='#555'>{value:,.0f}</text>")
    every = max(1, int(len(days) / (plot_w / 70)) + 1)  # a date label at most every ~70 px
    for index, day in enumerate(days):
        x = left + slot * index + (slot - bar_w) / 2
        base = top + plot_h
        for color_index, (source, counts) in enumerate(series):
            n = counts[index]
            if not n:
                continue
            h = plot_h * n / y_max
            base -= h
            parts.append(f"<rect class='seg' data-day='{_esc(day)}' data-source='{_esc(source)}' data-value='{n}' "
                         f"x='{x:.1f}' y='{base:.1f}' width='{bar_w:.1f}' height='{h:.1f}' "
                         f"fill='{PALETTE[color_index % len(PALETTE)]}'><title>{_esc(day)} {_esc(source)}: {n:,}"
                         f"</title></rect>")
        if index % every == 0:
            cx = left + slot * index + slot / 2
            parts.append(f"<text x='{cx:.1f}' y='{top + plot_h + 16}' text-anchor='end' fill='#333' "
                         f"transform='rotate(-35 {cx:.1f} {top + plot_h + 16})'>{_esc(day)}</text>")
    legend_top = top + plot_h + axis_h
    for index, (source, counts) in enumerate(series):
        x = left + (index % 3) * (plot_w / 3)
        y = legend_top + (index // 3) * 22
        parts.append(f"<rect x='{x:.1f}' y='{y}' width='12' height='12' fill='{PALETTE[index % len(PALETTE)]}'/>"
                     f"<text x='{x + 18:.1f}' y='{y + 11}' fill='#222'>{_esc(source)} ({sum(counts):,})</text>")
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- page


def _table(rows: Sequence[Tuple[str, int]], heading: str) -> str:
    body = "".join(f"<tr><td>{_esc(name)}</td><td class='num'>{value:,}</td></tr>" for name, value in rows)
    return (f"<details><summary>numbers</summary><table><thead><tr><th>{_esc(heading)}</th>"
            f"<th class='num'>count</th></tr></thead><tbody>{body}</tbody></table></details>")


def _section(section_id: str, title: str, note: str, chart: str, rows, heading: str) -> str:
    if not rows:
        return (f"<section id='{section_id}'><h2>{_esc(title)}</h2>"
                f"<p class='empty'>Nothing to show.</p></section>")
    return (f"<section id='{section_id}'><h2>{_esc(title)}</h2><p class='note'>{_esc(note)}</p>"
            f"{chart}{_table(rows, heading)}</section>")


def _cards(data: dict) -> str:
    runs = data["runs"]
    sources = {s for counts in data["per_day_source"].values() for s in counts}
    days = list(data["per_day_source"])
    cards = [("articles", f"{data['articles']:,}"), ("rejected", f"{data['rejected']:,}"),
             ("sources", f"{len(sources):,}"), ("runs", f"{len(runs):,}"),
             ("dt range", f"{days[0]} \u2013 {days[-1]}" if days else "-")]
    return "".join(f"<div class='card'><div class='value'>{_esc(v)}</div><div class='label'>{_esc(k)}</div></div>"
                   for k, v in cards)


def _runs_table(trend: List[dict]) -> str:
    if not trend:
        return ""
    rows = "".join(f"<tr><td>{_esc(r['run_id'])}</td><td>{_esc(r['started_at'])}</td>"
                   f"<td class='num'>{r['articles']:,}</td><td class='num'>{r['reject_rate']:.1%}</td>"
                   f"<td class='num'>{r['duplicate_rate']:.1%}</td></tr>" for r in trend[-20:][::-1])
    return ("<section id='runs'><h2>Runs: the trend</h2><p class='note'>The latest 20 runs; rates are shares of "
            "each run's inputs.</p><table><thead><tr><th>run</th><th>started</th><th class='num'>articles</th>"
            "<th class='num'>rejected</th><th class='num'>duplicates</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></section>")


QUALITY_COLUMNS = (("title", "title"), ("authors", "authors"), ("published_at", "date"), ("language", "language"),
                   ("summary", "summary"), ("with_boilerplate", "boilerplate removed"),
                   ("near_duplicates", "near-duplicates"))


def _quality_table(quality: List[dict]) -> str:
    if not quality:
        return "<section id='quality'><h2>Quality per source</h2><p class='empty'>Nothing to show.</p></section>"
    head = "".join(f"<th class='num'>{_esc(label)}</th>" for _, label in QUALITY_COLUMNS)
    rows = "".join(
        f"<tr><td>{_esc(q['source'])}</td><td class='num'>{q['articles']:,}</td>"
        + "".join(f"<td class='num share' data-share='{q[key]:.3f}'>{q[key]:.0%}</td>" for key, _ in QUALITY_COLUMNS)
        + f"<td class='num'>{q['median_words'] or 0:,.0f}</td></tr>" for q in quality)
    return ("<section id='quality'><h2>Quality per source</h2><p class='note'>Share of each source's articles "
            "having the field; boilerplate removed: share of articles a rule or a learned site line cleaned; "
            "near-duplicates: share linked to an earlier copy (duplicate_of).</p><table><thead><tr><th>source</th>"
            f"<th class='num'>articles</th>{head}<th class='num'>median words</th></tr></thead><tbody>{rows}"
            "</tbody></table></section>")


def _site_lines(learned: Dict[str, List[dict]]) -> str:
    if not learned:
        return ""
    rows = "".join(f"<tr><td>{_esc(source)}</td><td class='num'>{item['count']:,}</td><td>{_esc(item['line'][:120])}"
                   f"</td></tr>" for source, items in list(learned.items())[:20] for item in items[:3])
    return ("<section id='site-lines'><h2>Site boilerplate learned</h2><p class='note'>Lines a source repeats "
            "across its articles, removed as site_repeated (the top three per source).</p><table><thead><tr>"
            f"<th>source</th><th class='num'>articles</th><th>line</th></tr></thead><tbody>{rows}</tbody></table>"
            "</section>")


def render_report(data: dict, generated: datetime = None) -> str:
    """The whole page as one string."""
    generated = generated or datetime.now(timezone.utc).replace(microsecond=0)
    per_day = data["per_day_source"]
    day_rows = [(f"{day} {source}", n) for day, counts in per_day.items()
                for source, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    languages = list(data["languages"].items())
    families = list(data["rule_families"].items())
    rejects = list(data["rejects"].items())
    published = data["published_per_day"]
    dated = {day: {"articles": n} for day, n in published.items() if day != "undated"}
    sections = [
        _quality_table(data["quality"]),
        _section("published", "Articles per publication day",
                 f"The published_at date, whatever the partitioning; {published.get('undated', 0):,} articles have "
                 "no date.", stacked_columns_svg(dated, "Articles per publication day") if dated else "",
                 list(published.items()), "published"),
        _section("per-day", "Articles per ingest partition and source",
                 "Day = the dt partition (the ingest date unless partition.date is published).",
                 stacked_columns_svg(per_day, "Articles per day and source") if per_day else "",
                 day_rows, "day and source"),
        _section("languages", "Languages", "ISO 639-1 code detected from the clean text; und = undetermined.",
                 bar_chart_svg(languages, "Languages", PALETTE[2]), languages, "language"),
        _section("boilerplate", "Boilerplate removed per rule family",
                 f"Pieces removed from articles; a rule's language variants counted together (top {MAX_BARS} "
                 "charted).", bar_chart_svg(families, "Boilerplate removed per rule family", PALETTE[1]), families,
                 "rule family"),
        _site_lines(data.get("site_lines") or {}),
        _section("rejects", "Rejected inputs per reason",
                 "stage/reason; every rejected row keeps its raw input for newsbeam replay.",
                 bar_chart_svg(rejects, "Rejected inputs per reason", PALETTE[3]), rejects, "reason"),
    ]
    page = Template(resources.files("pipelines").joinpath("templates", TEMPLATE).read_text("utf-8"))
    return page.substitute(
        title=_esc(f"newsbeam report: {data['location']}"),
        location=_esc(data["location"]),
        generated=_esc(generated.isoformat()),
        cards=_cards(data),
        sections="\n".join(sections) + _runs_table(data["trend"]),
    )


def write_report(location: str, html_path: str) -> str:
    """Render the report of ``location`` into ``html_path``; returns the absolute path written."""
    page = render_report(report_data(location))
    path = os.path.abspath(html_path)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(page)
    except OSError as err:
        raise InputError(f"--html {html_path!r}: cannot write there ({err.strerror or err})") from None
    return path
