"""What earlier runs already wrote: the few columns deduplication needs, read
only from the partitions inside the lookback window, through Beam's
FileSystems (so gs:// and s3:// datasets work too)."""
import re
from datetime import date
from typing import List

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems

from transforms.dedup import instant
from transforms.layout import ARTICLES, is_run_file, join

__all__ = ["HISTORY_COLUMNS", "history_files", "read_history_file", "ReadHistory"]

HISTORY_COLUMNS = ["id", "content_hash", "simhash", "published_at", "word_count"]
_DT = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")


def in_window(path: str, cutoff: date, run_id: str) -> bool:
    """A committed article file of another run, in a partition on or after ``cutoff``."""
    found = _DT.search(path)
    name = path.rsplit("/", 1)[-1]
    return bool(found) and found.group(1) >= cutoff.isoformat() and not is_run_file(name, run_id)


def history_files(output: str, run_id: str, cutoff: date) -> List[str]:
    """Article files of earlier runs whose ``dt`` is within the lookback window."""
    try:
        matched = FileSystems.match([join(output, ARTICLES, "**", "*.parquet")])[0].metadata_list
    except BeamIOError:
        return []
    return sorted(m.path for m in matched if in_window(m.path, cutoff, run_id))


def read_history_file(path: str) -> List[dict]:
    """The deduplication columns of one committed article file (``published_at`` as ``dedup.instant``)."""
    with FileSystems.open(path) as handle:
        rows = pq.ParquetFile(handle).read(columns=HISTORY_COLUMNS).to_pylist()
    for row in rows:
        if row["published_at"] is not None:
            row["published_at"] = instant(row["published_at"])
    return rows


class ReadHistory(beam.PTransform):
    """Paths of earlier article files -> their dedup columns (HISTORY_COLUMNS)."""

    def __init__(self, paths):
        super().__init__()
        self._paths = list(paths)

    def expand(self, pbegin):
        return (
            pbegin
            | "HistoryFiles" >> beam.Create(self._paths)
            | "SpreadHistory" >> beam.Reshuffle()
            | "ReadHistoryColumns" >> beam.FlatMap(read_history_file)
        )
