"""The extraction benchmarks' pages, grouped by site, through the site-boilerplate stage: does it
remove anything of the gold text? (``site_boilerplate.py --pages``)

The WCXB dev and fundus-dev pages whose URL is known are written into one web archive (so
each page keeps its URL, hence its source) and run twice: with the default settings and
with permissive ones (``min_count: 2``, ``min_share: 0.2``), which learn from sites with few
pages. Every ``site_repeated`` removal is looked up in the page's gold text.
"""
import gzip
import json
import subprocess
import sys
import tempfile
from collections import Counter
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.dataset as ds
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.datasets import load_fundus, load_wcxb, read_html

REPO = Path(__file__).resolve().parent.parent
PERMISSIVE = "site_boilerplate: {min_count: 2, min_share: 0.2}\n"


def _url(page):
    if page.url:
        return page.url
    record = json.loads((Path(page.path).parent.parent / "ground-truth" / f"{page.page_id}.json").read_text())
    return record.get("url")


def site_pages() -> dict:
    """url -> page, for the pages of sites with at least two pages."""
    pages = {_url(page): page for page in load_wcxb() + load_fundus() if _url(page)}
    hosts = Counter(urlsplit(url).hostname for url in pages)
    return {url: page for url, page in pages.items() if hosts[urlsplit(url).hostname] >= 2}


def write_archive(pages: dict, path: Path) -> None:
    out = BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, page in pages.items():
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(read_html(page)),
                                                      http_headers=headers))
    path.write_bytes(out.getvalue())


def _normal(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def removals(pages: dict, archive: Path, work: Path, config: str) -> tuple:
    """(pages written, site_repeated removals, of them found in the gold text)."""
    out, conf = work / "out", work / "config.yaml"
    conf.write_text(config)
    command = [sys.executable, "-m", "pipelines.cli.main", "-q", "run", "--input", str(archive),
               "--output", str(out), "--config", str(conf)]
    subprocess.run(command, cwd=str(REPO), check=True, capture_output=True)
    rows = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table(
        columns=["url", "boilerplate"]).to_pylist()
    gold = {url.split("#")[0].rstrip("/"): _normal(page.body) for url, page in pages.items()}
    removed = found = 0
    for row in rows:
        body = gold.get((row["url"] or "").rstrip("/"), "")
        for item in row["boilerplate"] or ():
            if item["rule"] == "site_repeated":
                removed += 1
                found += _normal(item["text"]) in body
    return len(rows), removed, found


def pages_report() -> str:
    pages = site_pages()
    sites = len({urlsplit(url).hostname for url in pages})
    lines = [f"{len(pages)} benchmark pages from {sites} sites with 2+ pages (WCXB dev, fundus-dev)", "",
             "| settings | articles | lines removed (site_repeated) | of them in the gold text |", "|---|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="newsbeam-site-pages-") as tmp:
        archive = Path(tmp) / "pages.warc.gz"
        write_archive(pages, archive)
        for name, config in (("defaults", "{}\n"), ("permissive", PERMISSIVE)):
            work = Path(tmp) / name
            work.mkdir()
            written, removed, found = removals(pages, archive, work, config)
            lines.append(f"| {name} | {written} | {removed} | {found} |")
    return "\n".join(lines)
