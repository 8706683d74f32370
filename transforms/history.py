"""What earlier runs already wrote: the few columns deduplication needs, read
only from committed files (listed by a run manifest) in the partitions inside the
lookback window, through Beam's FileSystems (so gs:// and s3:// datasets work too)."""
import logging
import re
from datetime import date
from typing import List

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems

from transforms.dedup import instant
from transforms.commit_protocol import committed_paths, read_manifests
from transforms.layout import ARTICLES, join

__all__ = ["HISTORY_COLUMNS", "history_files", "read_history_file", "ReadHistory"]

HISTORY_COLUMNS = ["id", "content_hash", "simhash", "published_at", "word_count"]
_DT = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")
_LOGGER = logging.getLogger(__name__)


def in_window(path: str, cutoff: date) -> bool:
    """An article file in a partition on or after ``cutoff``."""
    found = _DT.search("/" + path)
    return bool(found) and found.group(1) >= cutoff.isoformat()


def history_files(output: str, run_id: str, cutoff: date) -> List[str]:
    """Article files that earlier runs' committed manifests list, whose ``dt`` is within the
    lookback window (files no manifest lists -- a stopped commit -- are not history)."""
    manifests = {rid: m for rid, m in read_manifests(output).items() if rid != run_id}
    paths = committed_paths(output, (ARTICLES,), manifests)
    return [join(output, path) for path in paths if in_window(path, cutoff)]


def read_history_file(path: str) -> List[dict]:
    """The deduplication columns of one committed article file (``published_at`` as ``dedup.instant``).

    A file that cannot be read (zero bytes, truncated, not Parquet, columns missing, gone) adds
    no history: one warning names it and the run goes on, instead of every later run failing."""
    try:
        with FileSystems.open(path) as handle:
            parquet = pq.ParquetFile(handle)
            missing = [name for name in HISTORY_COLUMNS if name not in parquet.schema_arrow.names]
            if missing:  # pyarrow would leave them out silently
                raise ValueError(f"no column(s) {', '.join(missing)}")
            rows = parquet.read(columns=HISTORY_COLUMNS).to_pylist()
    except (pa.ArrowException, OSError, ValueError) as err:  # ArrowInvalid is a ValueError; BeamIOError an OSError
        _LOGGER.warning("skipping unreadable history file %s for deduplication: %s", path, err)
        return []
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
