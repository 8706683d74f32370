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

A large JSONL file is read in parts (``byte_ranges``: byte ranges of an uncompressed file,
shares of a compressed one), planned before the paths are spread over the workers, so the
lines of one file are split, extracted and cleaned on every worker, never held between stages.
"""
import os
import re
import stat
from dataclasses import dataclass
from typing import Callable, List, Optional

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io.filesystem import BeamIOError, CompressionTypes, FileSystem
from apache_beam.io.filesystems import FileSystems

from transforms import progress_channel
from transforms.sources.byte_ranges import (ByteRange, has_content, is_first_part, owned_bytes, plan_archive_parts,
                                            plan_parts, range_bytes_setting)
from transforms.sources.decode import SNIFF_BYTES, detect_format
from transforms.dead_letter import DEAD_LETTER, GuardedFn
from transforms.errors import DECOMPRESS_ERROR, EMPTY_INPUT, READ_ERROR, TOO_LARGE, RejectError
from transforms.sources.files import (check_regular_file, folder_files, is_jsonl, is_streamed, local_path,
                                      read_capped, records_of_file, transport_path, walk, within_record_limit)
from transforms.sources.formats import split_file
from transforms.sources.page_filters import PageFilter
from transforms.sources.seen_urls import SeenUrls
from transforms.dedup.history import read_history_keys
from transforms.sources.warc import BadRecord, Skipped, warc_units
from transforms.sources.jsonl_stream import (DECOMPRESS_FAILURES, MAX_STREAM_BYTES, is_utf16_or_32, jsonl_lines,
                                             lines_of_chunks, open_decompressed, stream_chunks)
from schemas.records import RawDocument

__all__ = ["ReadInputFiles", "all_rejected", "Listed", "match_local", "ARCHIVE_SKIPPED"]

BYTES_READ = "bytes_read"  # progress channel: stored bytes of the files (or parts) read to their end
ARCHIVE_SKIPPED = "archive_skipped"  # a web archive's records that are not units, by kind (filtered_* too)

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


# --------------------------------------------------------------------------- planning


def file_parts(path: str, range_bytes: int, max_stream_bytes: int) -> list:
    """The parts ``path`` is read in (``byte_ranges``): several for a large JSONL file or web
    archive, ``[None]`` (read whole) for any other file, and for a path whose size cannot be
    read (the read step rejects it)."""
    size = _stored_size(path) if is_streamed(path) else None
    if size is None:
        return [None]
    compressed = detect_format(path)[1] is not None
    if not is_jsonl(path):
        return plan_archive_parts(size, compressed, range_bytes)
    return plan_parts(size, compressed, range_bytes, max_stream_bytes)


def _stored_size(path: str) -> Optional[int]:
    """The size of a regular file, None when it is anything else or cannot be read."""
    try:
        if "://" in path:
            return FileSystems.match([path])[0].metadata_list[0].size_in_bytes
        info = os.stat(path)
    except (OSError, BeamIOError, IndexError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


class _PlanPartsFn(beam.DoFn):
    """Path -> (path, part) for each part it is read in (None: the whole file)."""

    def __init__(self, range_bytes, max_stream_bytes):
        self._range_bytes = range_bytes
        self._max_stream = max_stream_bytes

    def process(self, element):
        for part in file_parts(local_path(element), self._range_bytes, self._max_stream):
            yield element, part


# --------------------------------------------------------------------------- reading


class _SplitFileFn(GuardedFn):
    """(path, stored bytes) -> RawDocuments; (path, None) -> a JSONL file's lines or a WARC file's
    pages, streamed (the WARC's other records on ``ARCHIVE_SKIPPED``); (path, part) -> the lines of
    that part of a large JSONL file, or the records of that share of a large WARC file (``byte_ranges``).

    A streamed file's outputs are given out while it is read, not collected first (a dump may
    be larger than memory, ``streams``): when the file turns out corrupt, truncated or too large
    half way, the lines before stay, and one rejected row names the file and how far the read got
    (of a file read in parts: its first part's row; the other parts stop quietly)."""

    stage = "read"

    def __init__(self, run_id, max_file_bytes, max_record_bytes, max_stream_bytes=MAX_STREAM_BYTES,
                 archive_filters=None, seen_paths=()):
        super().__init__(run_id)
        self._max_file = max_file_bytes
        self._max_record = max_record_bytes
        self._max_stream = max_stream_bytes
        self._archive_filters = archive_filters
        self._page_filter = None
        self._seen_paths = tuple(seen_paths)
        self._seen = None

    def _seen_urls(self):
        """The dataset's URLs (``seen_urls``), loaded once, on the first archive a worker reads."""
        if self._seen is None and self._seen_paths:
            tables = (read_history_keys(path) for path in self._seen_paths)
            self._seen = SeenUrls(article_id for table in tables if table is not None
                                  for article_id in table.column("id").to_pylist())
        return self._seen.seen if self._seen is not None else None

    def setup(self):
        super().setup()
        filters = self._archive_filters
        self._page_filter = PageFilter(filters) if filters is not None and filters.active else None

    def describe(self, element):
        path, data = element
        return local_path(path), data if isinstance(data, bytes) else b""

    def streams(self, element):
        return not isinstance(element[1], bytes)

    def transform(self, element):
        path, data = local_path(element[0]), element[1]
        if isinstance(data, bytes):
            yield from self._within_limit(records_of_file(path, data, self._max_file))
        else:
            yield from self._streamed_records(path, data)
        progress_channel.count(BYTES_READ, _stored_bytes(path, data))

    def _within_limit(self, records):
        return within_record_limit(records, self._max_record, self.reject)

    def _streamed_records(self, path, part):
        """The JSONL file's (or its part's) records or the WARC file's pages; what reading it
        raises besides RejectError is one too."""
        fmt, compression = detect_format(path)
        try:
            if fmt == "warc":
                records = self._warc_records(path, part)
                yield from records if part is None or _reports(part) else _quietly(records)
            elif part is None:
                yield from self._jsonl_records(path)
            else:
                records = self._part_records(path, part)
                yield from records if _reports(part) else _quietly(records)
        except DECOMPRESS_FAILURES as err:  # OSError covers BeamIOError
            compressed = compression is not None
            reason, doing = (DECOMPRESS_ERROR, "decompressing") if compressed else (READ_ERROR, "reading")
            raise RejectError(reason, f"{doing} the file: {err}") from None

    def _warc_records(self, path, share=None):
        """The archive's pages (those of ``share``, a RecordShare, when given); its other records,
        and the pages the archive filters drop, as ARCHIVE_SKIPPED kinds, counted, not rejected."""
        owns = share.owns if share is not None else None
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            for item in warc_units(handle, path, self._max_record, self._page_filter, self._seen_urls(), owns):
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
            yield from self._line_records(path, jsonl_lines(reader, self._max_record, head), lambda: True)

    def _part_records(self, path, part):
        """The lines of one part of a large JSONL file; a UTF-16/32 file is read whole by its
        first part (it cannot be cut by bytes). The first part reports an empty file."""
        compression = detect_format(path)[1]
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            head, chunks, position = self._open_part(handle, part, compression)
            if is_utf16_or_32(head):
                yield from self._jsonl_records(path) if part.first else ()
                return
            lines = lines_of_chunks(owned_bytes(chunks, part, position), self._max_record, file_start=part.first)
            empty = (lambda: not self._has_content(path, compression)) if part.first else (lambda: False)
            yield from self._line_records(path, lines, empty)

    def _open_part(self, handle, part, compression):
        """(the file's first bytes, chunks from where ``part`` is read, their position in the file):
        a byte range seeks to the byte before it, a share decompresses from the start."""
        if isinstance(part, ByteRange):
            head = handle.read(SNIFF_BYTES)
            position = max(part.start - 1, 0)
            handle.seek(position)
            return head, stream_chunks(handle), position
        reader = open_decompressed(handle, compression, self._max_stream)
        head = reader.read(SNIFF_BYTES)
        return head, stream_chunks(reader, head), 0

    def _line_records(self, path, lines, file_is_empty):
        """A RawDocument per line, a too_large row per line over the limit; ``empty_input`` when
        no line came and ``file_is_empty()``."""
        seen = False
        for line in lines:
            seen = True
            if line.too_long:
                message = f"record of more than {self._max_record} bytes exceeds the {self._max_record}-byte limit"
                yield self.reject(path, line.data, TOO_LARGE, message)
            else:
                yield RawDocument(line.data, path, "json")
        if not seen and file_is_empty():
            raise RejectError(EMPTY_INPUT, "JSONL file has no records")

    def _has_content(self, path, compression) -> bool:
        """Whether the file holds a line anywhere (its first part had none: read it all again)."""
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            return has_content(stream_chunks(open_decompressed(handle, compression, self._max_stream)))


def _stored_bytes(path: str, data) -> int:
    """How many of the file's stored bytes this element stands for (progress: bytes read)."""
    if isinstance(data, bytes):
        return len(data)
    if isinstance(data, ByteRange):
        return data.end - data.start
    size = _stored_size(path) or 0
    return size // data.count if data is not None else size


def _reports(part) -> bool:
    """Whether a part reports what stops its read: a byte range reads bytes no other part reads;
    the shares of a compressed file all read the whole stream, and only the first reports."""
    return isinstance(part, ByteRange) or part.first


def _quietly(records):
    """A later share's records; what stops it (corrupt, truncated, too large) is reported by the
    file's first share, which reads the same bytes."""
    try:
        yield from records
    except (RejectError, *DECOMPRESS_FAILURES):
        return


class _ReadBytesFn(GuardedFn):
    """(path, part) -> (path, stored bytes), capped, for a file read whole; the element as it is
    for a JSONL or WARC file (part None) or a part of a JSONL file, streamed by _SplitFileFn.
    Only a regular file gets this far (``check_regular_file``, before any open)."""

    stage = "read"

    def __init__(self, run_id, max_bytes):
        super().__init__(run_id)
        self._max_bytes = max_bytes

    def describe(self, element):
        return local_path(element[0]), b""

    def transform(self, element):
        transported, part = element
        path = local_path(transported)
        check_regular_file(path)
        if is_streamed(path):
            yield transported, part
            return
        try:
            with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
                data = read_capped(handle, self._max_bytes)
        except (OSError, BeamIOError) as err:
            raise RejectError(READ_ERROR, f"cannot read the file: {err}") from None
        yield transported, data


def _stands_for_file(file) -> bool:
    """Whether a (path, bytes or part) of the read step stands for its file (counted once)."""
    return is_first_part(file[1])


def all_rejected(read_output, label: str = "AllReadRejected"):
    """Every rejected row of a ``ReadInputFiles`` output, as one PCollection (for tests and
    small reads; the pipeline writes each step's rows where they are made)."""
    return tuple(read_output[DEAD_LETTER].values()) | label >> beam.Flatten()


class ReadInputFiles(beam.PTransform):
    """Globs -> RawDocuments (main output) and rejected rows (``rejected``: a dict step name ->
    that step's rejected rows).

    ``max_stream_bytes`` caps the decompressed size of one streamed JSONL file, ``range_bytes``
    sets the size of the parts a large one is read in (module defaults, not settings; the
    environment's ``NEWSBEAM_READ_RANGE_BYTES`` sets the latter, ``byte_ranges``). ``files``:
    one element per file opened, whatever the number of its parts. ``archive_filters``
    (``page_filters.ArchiveFilters``) drops WARC pages before extraction, as skipped kinds;
    so does ``seen_paths`` (committed article files) a page whose URL they hold (``seen_url``)."""

    def __init__(self, patterns, run_id, max_file_bytes, max_record_bytes, max_stream_bytes=MAX_STREAM_BYTES,
                 range_bytes=None, archive_filters=None, seen_paths=()):
        super().__init__()
        self._archive_filters = archive_filters
        self._seen_paths = tuple(seen_paths)
        self._patterns = list(patterns)
        self._run_id = run_id
        self._max_file = max_file_bytes
        self._max_record = max_record_bytes
        self._max_stream = max_stream_bytes
        self._range_bytes = range_bytes or range_bytes_setting()

    def expand(self, start):
        """From the pipeline's start (the globs given), or from a PCollection of file paths
        already matched (an unbounded pipeline's ``fileio.MatchContinuously``)."""
        if isinstance(start, pvalue.PBegin):
            matched = (
                start
                | "Patterns" >> beam.Create(self._patterns)
                | "Match" >> beam.ParDo(_MatchFn(self._run_id)).with_outputs(DEAD_LETTER, main="paths")
            )
            paths, rejected = matched.paths, {"match": matched[DEAD_LETTER]}
        else:
            paths, rejected = start, {}
        read = (
            paths
            | "PlanParts" >> beam.ParDo(_PlanPartsFn(self._range_bytes, self._max_stream))
            | "SpreadFiles" >> beam.Reshuffle()
            | "ReadBytes" >> beam.ParDo(_ReadBytesFn(self._run_id, self._max_file)).with_outputs(DEAD_LETTER, main="files")
        )
        split = read.files | "Split" >> beam.ParDo(
            _SplitFileFn(self._run_id, self._max_file, self._max_record, self._max_stream,
                         archive_filters=self._archive_filters, seen_paths=self._seen_paths)
        ).with_outputs(DEAD_LETTER, ARCHIVE_SKIPPED, main="records")
        # not flattened: each step's rejected rows are written in the step's own stage (a Flatten
        # makes the local runner hold every row in memory between stages)
        rejected.update({"read": read[DEAD_LETTER], "split": split[DEAD_LETTER]})
        opened = read.files | "FilesOpened" >> beam.Filter(_stands_for_file)
        return {"files": opened, "records": split.records, ARCHIVE_SKIPPED: split[ARCHIVE_SKIPPED],
                DEAD_LETTER: rejected}
