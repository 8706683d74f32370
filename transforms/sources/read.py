"""Source stage: match file globs and split each file into RawDocuments.

Paths go through Beam's FileSystems, so local paths, gs:// and s3:// work
wherever Beam's extras are installed. Local globs are matched here (``match_local``), not by
Beam's matcher, which silently drops folders, broken links and folders it cannot list; only
regular files are opened (``files.check_regular_file``): a FIFO, a device, a socket or a folder the
glob names is a ``not_a_regular_file`` row. Files are read as stored (no automatic
decompression) and decompressed here. JSONL files (plain or compressed) are
streamed line by line (``jsonl_stream``) and web archives record by record (``warc``): a
dump or an archive of any size is read with memory bounded by ``max_record_bytes``. Other files are read whole, decompressed with a
size cap (``max_file_bytes``), so a compression bomb is cut off early.
"""
import os
import re
from dataclasses import dataclass
from typing import Callable, List, Optional

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io.filesystem import BeamIOError, CompressionTypes, FileSystem
from apache_beam.io.filesystems import FileSystems

from transforms.sources.decode import SNIFF_BYTES, detect_format
from transforms.dead_letter import DEAD_LETTER, GuardedFn
from transforms.errors import DECOMPRESS_ERROR, EMPTY_INPUT, READ_ERROR, TOO_LARGE, RejectError
from transforms.sources.files import (check_regular_file, folder_files, is_streamed, local_path, read_capped,
                                      records_of_file, transport_path, walk, within_record_limit)
from transforms.sources.formats import split_file
from transforms.sources.warc import BadRecord, Skipped, warc_units
from transforms.sources.jsonl_stream import (DECOMPRESS_FAILURES, MAX_STREAM_BYTES, is_utf16_or_32, jsonl_lines,
                                     open_decompressed)
from schemas.records import RawDocument

__all__ = ["ReadInputFiles", "all_rejected", "Listed", "match_local", "ARCHIVE_SKIPPED"]

ARCHIVE_SKIPPED = "archive_skipped"  # the tag of a web archive's records that are not pages (their kinds)

_GLOB_CHARS = re.compile(r"[*?[]")


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Listed:
    """A path an input pattern names (to be read), or a path it could not list (``error``: a read_error)."""

    path: str
    error: Optional[str] = None


def match_local(pattern: str, scandir: Optional[Callable] = None) -> List[Listed]:
    """Every local path ``pattern`` names, in Beam's glob syntax (``*`` within a folder, ``**``
    across folders), whatever its type: special files, broken links and folders are read
    (and rejected) next, not dropped. A folder is named only when the pattern cannot reach
    inside it (``x.txt/`` under ``*.txt``: its files would be lost silently); under ``**``
    folders are walked, not named. A folder the walk must enter and cannot list is a
    ``Listed`` with an error. Links to folders are not followed (no loops). A plain path is
    named even when missing; a plain path naming a folder (``--input DIR``) names the files
    newsbeam reads under it (``files.folder_files``). ``scandir``: os.scandir, or a stand-in in tests."""
    if not _GLOB_CHARS.search(pattern) and os.path.isdir(pattern) and not os.path.islink(pattern):
        found = folder_files(pattern, scandir or os.scandir)  # an --input DIR: its supported files
        return [Listed(path, error) for path, error in found] or [
            Listed(pattern, f"a folder with no file newsbeam reads: {pattern}")]
    pattern += "*" if pattern.endswith("/") else ""  # as Beam reads a pattern ending in a slash
    if not _GLOB_CHARS.search(pattern):
        return [Listed(pattern) if os.path.lexists(pattern) else Listed(pattern, f"no such file: {pattern}")]
    root = os.path.dirname(_GLOB_CHARS.split(pattern, 1)[0])
    if not os.path.lexists(root or "."):
        return []  # a glob in a missing folder matches nothing, as with Beam
    matches = re.compile(FileSystem.translate_pattern(pattern)).match
    reaches_into = _reaches_into(pattern)
    listed = []
    for path, is_folder, error in walk(root, reaches_into, scandir or os.scandir):
        if error or (matches(path) and not (is_folder and reaches_into(path))):
            listed.append(Listed(path, error))
    return listed


def _reaches_into(pattern: str) -> Callable[[str], bool]:
    """Whether ``pattern`` can match a path inside a folder: a head of the pattern ending in
    "/", or followed by "**" (which crosses folders), matches the folder plus "/"."""
    heads = [pattern[:end] for end in range(1, len(pattern) + 1) if pattern[end - 1] == "/"]
    heads += [pattern[:start] + "**" for start in range(len(pattern)) if pattern.startswith("**", start)]
    tests = [re.compile(FileSystem.translate_pattern(head)).match for head in heads]
    return lambda folder: any(test(folder + "/") for test in tests)


def match_remote(pattern: str) -> List[Listed]:
    """The files a ``scheme://`` pattern names, through Beam's FileSystems (object stores hold
    only files); a plain path that names nothing is a Listed error, as locally."""
    try:
        found = FileSystems.match([pattern])[0].metadata_list
    except BeamIOError as err:
        raise RejectError(READ_ERROR, f"cannot match {pattern}: {err}") from None
    if not found and not _GLOB_CHARS.search(pattern):
        return [Listed(pattern, f"no such file: {pattern}")]
    return [Listed(meta.path) for meta in found]


class _MatchFn(GuardedFn):
    """Input pattern -> the paths it names; a folder it cannot list is a read_error row."""

    stage = "read"

    def describe(self, element):
        return element, b""

    def transform(self, element):
        listed = match_remote(element) if "://" in element else match_local(element)
        for entry in listed:
            if entry.error is None:
                yield transport_path(entry.path)
            else:
                yield self.reject(entry.path, b"", READ_ERROR, entry.error)


# --------------------------------------------------------------------------- reading


class _SplitFileFn(GuardedFn):
    """(path, stored bytes) -> RawDocuments; (path, None) -> a JSONL file's lines or a WARC file's
    pages, streamed (the WARC's other records on ``ARCHIVE_SKIPPED``).

    A streamed file's outputs are given out while it is read, not collected first (a dump may
    be larger than memory, ``streams``): when the file turns out corrupt, truncated or too large
    half way, the lines before stay, and one rejected row names the file and how far the read got."""

    stage = "read"

    def __init__(self, run_id, max_file_bytes, max_record_bytes, max_stream_bytes=MAX_STREAM_BYTES):
        super().__init__(run_id)
        self._max_file = max_file_bytes
        self._max_record = max_record_bytes
        self._max_stream = max_stream_bytes

    def describe(self, element):
        path, data = element
        return local_path(path), data

    def streams(self, element):
        return element[1] is None

    def transform(self, element):
        path, data = local_path(element[0]), element[1]
        if data is None:
            yield from self._streamed_records(path)
        else:
            yield from self._within_limit(records_of_file(path, data, self._max_file))

    def _within_limit(self, records):
        return within_record_limit(records, self._max_record, self.reject)

    def _streamed_records(self, path):
        """The JSONL file's records or the WARC file's pages; what reading it raises besides
        RejectError is one too."""
        fmt, compression = detect_format(path)
        try:
            yield from self._warc_records(path) if fmt == "warc" else self._jsonl_records(path)
        except DECOMPRESS_FAILURES as err:  # OSError covers BeamIOError
            compressed = compression is not None
            reason, doing = (DECOMPRESS_ERROR, "decompressing") if compressed else (READ_ERROR, "reading")
            raise RejectError(reason, f"{doing} the file: {err}") from None

    def _warc_records(self, path):
        """The archive's pages; its other records as ARCHIVE_SKIPPED kinds, counted, not rejected."""
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            for item in warc_units(handle, path, self._max_record):
                if isinstance(item, Skipped):
                    yield pvalue.TaggedOutput(ARCHIVE_SKIPPED, item.kind)
                elif isinstance(item, BadRecord):
                    yield self.reject(item.source_uri, item.head, item.reason, item.message)
                else:
                    yield item

    def _jsonl_records(self, path):
        compression = detect_format(path)[1]
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            reader = open_decompressed(handle, compression, self._max_stream)
            head = reader.read(SNIFF_BYTES)
            if is_utf16_or_32(head):  # rare: decoded whole, within the file limit
                rest = reader.read_rest(self._max_file - len(head))
                if rest is None:
                    raise RejectError(TOO_LARGE, f"UTF-16/32 JSONL is decoded whole and is larger than the "
                                                 f"{self._max_file}-byte limit")
                yield from self._within_limit(split_file(head + rest, path, "jsonl"))
                return
            seen = False
            for line in jsonl_lines(reader, self._max_record, head):
                seen = True
                if line.too_long:
                    message = f"record of more than {self._max_record} bytes exceeds the {self._max_record}-byte limit"
                    yield self.reject(path, line.data, TOO_LARGE, message)
                else:
                    yield RawDocument(line.data, path, "json")
            if not seen:
                raise RejectError(EMPTY_INPUT, "JSONL file has no records")


class _ReadBytesFn(GuardedFn):
    """Path -> (path, stored bytes), capped; (path, None) for a JSONL or WARC file, streamed by _SplitFileFn.
    Only a regular file gets this far (``check_regular_file``, before any open)."""

    stage = "read"

    def __init__(self, run_id, max_bytes):
        super().__init__(run_id)
        self._max_bytes = max_bytes

    def describe(self, element):
        return local_path(element), b""

    def transform(self, element):
        path = local_path(element)
        check_regular_file(path)
        if is_streamed(path):
            yield element, None
            return
        try:
            with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
                data = read_capped(handle, self._max_bytes)
        except (OSError, BeamIOError) as err:
            raise RejectError(READ_ERROR, f"cannot read the file: {err}") from None
        yield element, data


def all_rejected(read_output, label: str = "AllReadRejected"):
    """Every rejected row of a ``ReadInputFiles`` output, as one PCollection (for tests and
    small reads; the pipeline writes each step's rows where they are made)."""
    return tuple(read_output[DEAD_LETTER].values()) | label >> beam.Flatten()


class ReadInputFiles(beam.PTransform):
    """Globs -> RawDocuments (main output) and rejected rows (``rejected``: a dict step name ->
    that step's rejected rows).

    ``max_stream_bytes`` caps the decompressed size of one streamed JSONL file (a module
    default, not a setting)."""

    def __init__(self, patterns, run_id, max_file_bytes, max_record_bytes, max_stream_bytes=MAX_STREAM_BYTES):
        super().__init__()
        self._patterns = list(patterns)
        self._run_id = run_id
        self._max_file = max_file_bytes
        self._max_record = max_record_bytes
        self._max_stream = max_stream_bytes

    def expand(self, pbegin):
        matched = (
            pbegin
            | "Patterns" >> beam.Create(self._patterns)
            | "Match" >> beam.ParDo(_MatchFn(self._run_id)).with_outputs(DEAD_LETTER, main="paths")
        )
        read = (
            matched.paths
            | "SpreadFiles" >> beam.Reshuffle()
            | "ReadBytes" >> beam.ParDo(_ReadBytesFn(self._run_id, self._max_file)).with_outputs(DEAD_LETTER, main="files")
        )
        split = read.files | "Split" >> beam.ParDo(
            _SplitFileFn(self._run_id, self._max_file, self._max_record, self._max_stream)
        ).with_outputs(DEAD_LETTER, ARCHIVE_SKIPPED, main="records")
        # not flattened: each step's rejected rows are written in the step's own stage (a Flatten
        # makes the local runner hold every row in memory between stages)
        rejected = {"match": matched[DEAD_LETTER], "read": read[DEAD_LETTER], "split": split[DEAD_LETTER]}
        return {"files": read.files, "records": split.records, ARCHIVE_SKIPPED: split[ARCHIVE_SKIPPED],
                DEAD_LETTER: rejected}
