"""What earlier runs already wrote: the few columns deduplication needs, read
only from committed files (listed by a run manifest) in the partitions inside the
lookback window, through Beam's FileSystems (so gs:// and s3:// datasets work too)."""
import logging
import re
from datetime import date
from typing import List, Optional

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from transforms.sinks.commit_protocol import committed_paths, read_manifests
from transforms.dedup.dedup_sql import HISTORY_KEY_SCHEMA
from schemas.layout import ARTICLES, join

__all__ = ["HISTORY_COLUMNS", "history_files", "read_history_keys"]

HISTORY_COLUMNS = HISTORY_KEY_SCHEMA.names
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


def read_history_keys(path: str) -> Optional[pa.Table]:
    """The deduplication columns of one committed article file (``dedup_sql.HISTORY_KEY_SCHEMA``:
    ``published_at`` in microseconds since the epoch), or None.

    A file that cannot be read (zero bytes, truncated, not Parquet, columns missing, gone) adds
    no history: one warning names it and the run goes on, instead of every later run failing."""
    try:
        with FileSystems.open(path) as handle:
            parquet = pq.ParquetFile(handle)
            missing = [name for name in HISTORY_COLUMNS if name not in parquet.schema_arrow.names]
            if missing:  # pyarrow would leave them out silently
                raise ValueError(f"no column(s) {', '.join(missing)}")
            table = parquet.read(columns=HISTORY_COLUMNS)
        dates = table.column("published_at").cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
        table = table.set_column(HISTORY_COLUMNS.index("published_at"), "published_at", dates)
        return table.cast(HISTORY_KEY_SCHEMA)
    except (pa.ArrowException, OSError, ValueError) as err:  # ArrowInvalid is a ValueError; BeamIOError an OSError
        _LOGGER.warning("skipping unreadable history file %s for deduplication: %s", path, err)
        return None
