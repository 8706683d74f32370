"""Source stage: match file globs and split each file into RawDocuments.

Paths go through Beam's FileSystems, so local paths, gs:// and s3:// work
wherever Beam's extras are installed. Files are read as stored (no automatic
decompression) and decompressed here with a size cap, so a compression bomb
is cut off early.
"""
import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import BeamIOError, CompressionTypes

from transforms.decode import decompress, detect_format
from transforms.dead_letter import REJECTED, GuardedFn
from transforms.errors import READ_ERROR, TOO_LARGE, RejectError
from transforms.formats import split_file

__all__ = ["ReadInputFiles", "read_capped"]


def read_capped(handle, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` from ``handle``; more is a too_large reject."""
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RejectError(TOO_LARGE, f"file is larger than the {max_bytes}-byte limit")
    return data


def records_of_file(path: str, data: bytes, max_file_bytes: int):
    """The RawDocuments of one file's stored bytes (pure; raises RejectError)."""
    fmt, compression = detect_format(path)
    return split_file(decompress(data, compression, max_file_bytes), path, fmt)


class _SplitFileFn(GuardedFn):
    stage = "read"

    def __init__(self, run_id, max_file_bytes, max_record_bytes):
        super().__init__(run_id)
        self._max_file = max_file_bytes
        self._max_record = max_record_bytes

    def describe(self, element):
        path, data = element
        return path, data

    def transform(self, element):
        path, data = element
        for record in records_of_file(path, data, self._max_file):
            if len(record.data) > self._max_record:
                message = f"record of {len(record.data)} bytes exceeds the {self._max_record}-byte limit"
                yield self.reject(record.source_uri, record.data[: self._max_record], TOO_LARGE, message)
            else:
                yield record


class _ReadBytesFn(GuardedFn):
    """ReadableFile -> (path, stored bytes), capped."""

    stage = "read"

    def __init__(self, run_id, max_bytes):
        super().__init__(run_id)
        self._max_bytes = max_bytes

    def describe(self, element):
        return element.metadata.path, b""

    def transform(self, element):
        try:
            with element.open(compression_type=CompressionTypes.UNCOMPRESSED) as handle:
                data = read_capped(handle, self._max_bytes)
        except (OSError, BeamIOError) as err:
            raise RejectError(READ_ERROR, f"cannot read the file: {err}") from None
        yield element.metadata.path, data


class ReadInputFiles(beam.PTransform):
    """Globs -> RawDocuments (main output) and rejected rows (``rejected``)."""

    def __init__(self, patterns, run_id, max_file_bytes, max_record_bytes):
        super().__init__()
        self._patterns = list(patterns)
        self._run_id = run_id
        self._max_file = max_file_bytes
        self._max_record = max_record_bytes

    def expand(self, pbegin):
        files = (
            pbegin
            | "Patterns" >> beam.Create(self._patterns)
            | "Match" >> fileio.MatchAll()
            | "SpreadFiles" >> beam.Reshuffle()
            | "Open" >> fileio.ReadMatches()
        )
        read = files | "ReadBytes" >> beam.ParDo(_ReadBytesFn(self._run_id, self._max_file)).with_outputs(
            REJECTED, main="files"
        )
        split = read.files | "Split" >> beam.ParDo(
            _SplitFileFn(self._run_id, self._max_file, self._max_record)
        ).with_outputs(REJECTED, main="records")
        rejected = (read[REJECTED], split[REJECTED]) | "MergeRejected" >> beam.Flatten()
        return {"files": read.files, "records": split.records, REJECTED: rejected}
