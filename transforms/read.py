"""Source stage: match file globs and split each file into RawDocuments.

Paths go through Beam's FileSystems, so local paths, gs:// and s3:// work
wherever Beam's extras are installed. Files are read as stored (no automatic
decompression) and decompressed here. JSONL files (plain or compressed) are
streamed line by line (``jsonl_stream``): a dump of any size is read with memory
bounded by ``max_record_bytes``. Other files are read whole, decompressed with a
size cap (``max_file_bytes``), so a compression bomb is cut off early.
"""
import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io import fileio
from apache_beam.io.filesystem import BeamIOError, CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.decode import decompress, detect_format
from transforms.dead_letter import REJECTED, GuardedFn
from transforms.errors import DECOMPRESS_ERROR, EMPTY_INPUT, READ_ERROR, TOO_LARGE, RejectError
from transforms.formats import split_file
from transforms.jsonl_stream import DECOMPRESS_FAILURES, jsonl_lines, open_decompressed, starts_with_utf16_or_32_bom
from transforms.records import RawDocument

__all__ = ["ReadInputFiles", "read_capped", "is_jsonl"]


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
    """(path, stored bytes) -> RawDocuments; (path, None) -> the JSONL file's lines, streamed.

    A streamed file's outputs are given out while it is read, not collected first (a dump may
    be larger than memory): when the file turns out corrupt or truncated half way, the lines
    before stay, and one rejected row names the file and how far the read got."""

    stage = "read"

    def __init__(self, run_id, max_file_bytes, max_record_bytes):
        super().__init__(run_id)
        self._max_file = max_file_bytes
        self._max_record = max_record_bytes

    def describe(self, element):
        path, data = element
        return path, data

    def process(self, element):
        path, data = element
        if data is not None:
            yield from super().process(element)
            return
        if self._inputs is not None:
            self._inputs.inc()
        given = 0
        try:
            for output in self._streamed_records(path):
                given += 0 if isinstance(output, pvalue.TaggedOutput) else 1
                yield output
        except RejectError as err:
            yield self.reject(path, b"", err.reason, f"{err.message} (after {given} records)")
        except DECOMPRESS_FAILURES as err:  # OSError covers BeamIOError
            compressed = detect_format(path)[1] is not None
            reason, doing = (DECOMPRESS_ERROR, "decompressing") if compressed else (READ_ERROR, "reading")
            yield self.reject(path, b"", reason, f"{doing} the file: {err} (after {given} records)")
        if self._outputs is not None:
            self._outputs.inc(given)

    def transform(self, element):
        path, data = element
        for record in records_of_file(path, data, self._max_file):
            if len(record.data) > self._max_record:
                message = f"record of {len(record.data)} bytes exceeds the {self._max_record}-byte limit"
                yield self.reject(record.source_uri, record.data[: self._max_record], TOO_LARGE, message)
            else:
                yield record

    def _streamed_records(self, path):
        fmt, compression = detect_format(path)
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            reader = open_decompressed(handle, compression)
            first = reader.read(4)
            if starts_with_utf16_or_32_bom(first):  # rare: decoded whole, within the file limit
                data = first + read_capped(reader, self._max_file - len(first))
                yield from self.transform((path, data))
                return
            seen = False
            for line in jsonl_lines(reader, self._max_record, first):
                seen = True
                if line.too_long:
                    message = f"record of more than {self._max_record} bytes exceeds the {self._max_record}-byte limit"
                    yield self.reject(path, line.data, TOO_LARGE, message)
                else:
                    yield RawDocument(line.data, path, "json")
            if not seen:
                raise RejectError(EMPTY_INPUT, "JSONL file has no records")


def is_jsonl(path: str) -> bool:
    """A file name ending in .jsonl / .ndjson (and a compression suffix, if any)."""
    try:
        return detect_format(path)[0] == "jsonl"
    except RejectError:
        return False


class _ReadBytesFn(GuardedFn):
    """ReadableFile -> (path, stored bytes), capped; (path, None) for a JSONL file, streamed by _SplitFileFn."""

    stage = "read"

    def __init__(self, run_id, max_bytes):
        super().__init__(run_id)
        self._max_bytes = max_bytes

    def describe(self, element):
        return element.metadata.path, b""

    def transform(self, element):
        if is_jsonl(element.metadata.path):
            yield element.metadata.path, None
            return
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
