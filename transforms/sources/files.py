"""One input file, without Beam: whether it may be opened, how much of it is read, what records it holds.

The read stage (``transforms.sources.read``) wraps these in DoFns; ``newsbeam clean`` calls
them directly on one local file and must not pay for importing Beam, so nothing here
imports it. A file is judged before it is opened (``check_regular_file``: a FIFO or a
device would block or never end), read with a size cap (``read_capped``), and split into
RawDocuments by the format its name gives (``records_of_file``); a record over the record
limit becomes a ``too_large`` row (``within_record_limit``).
"""
import os
import stat
from typing import Callable, Iterator, List, Optional, Tuple

from transforms.errors import NOT_A_REGULAR_FILE, READ_ERROR, TOO_LARGE, RejectError
from transforms.sources.decode import decompress, detect_format
from transforms.sources.formats import split_file

__all__ = ["read_capped", "records_of_file", "within_record_limit", "is_jsonl", "is_streamed", "folder_files", "walk",
           "check_regular_file", "transport_path", "local_path"]

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_FS_BYTES = "fs-bytes:"


def read_capped(handle, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` from ``handle``; more is a too_large reject."""
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RejectError(TOO_LARGE, f"file is larger than the {max_bytes}-byte limit")
    return data


def records_of_file(path: str, data: bytes, max_file_bytes: int):
    """The RawDocuments of one file's stored bytes (raises RejectError)."""
    fmt, compression = detect_format(path)
    return split_file(decompress(data, compression, max_file_bytes), path, fmt)


def within_record_limit(records, max_record: int, reject):
    """The records no larger than ``max_record`` bytes; a ``too_large`` row (``reject``, a
    GuardedFn's) with the first ``max_record`` bytes for each larger one."""
    for record in records:
        if len(record.data) > max_record:
            message = f"record of {len(record.data)} bytes exceeds the {max_record}-byte limit"
            yield reject(record.source_uri, record.data[:max_record], TOO_LARGE, message)
        else:
            yield record


_TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".swp", ".download")


def folder_files(folder: str, scandir=os.scandir) -> List[Tuple[str, Optional[str]]]:
    """(path, None) for each file newsbeam reads under ``folder`` (an ``--input DIR``),
    recursively, in name order: hidden and temporary names ("." or "~" first, ".tmp",
    ".part", ...) and files of no supported format are left out, as are hidden folders; links
    to folders are not followed. (folder, message) for a folder that cannot be listed."""
    entries = walk(folder, lambda path: not _hidden(os.path.basename(path)), scandir)
    return sorted((path, error) for path, is_folder, error in entries
                  if error or (not is_folder and not _hidden(os.path.basename(path))
                               and _supported(os.path.basename(path))))


def walk(root: str, descend: Callable[[str], bool], scandir) -> Iterator[Tuple[str, bool, Optional[str]]]:
    """(path, is a real folder, None) for every entry under ``root``, entering only the folders
    ``descend`` accepts (the pattern can match inside them); (folder, False, message) for a
    folder that cannot be listed."""
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with scandir(folder or ".") as entries:
                found = [(os.path.join(folder, entry.name), _is_real_folder(entry)) for entry in entries]
        except OSError as err:
            yield folder, False, f"cannot list the folder {folder or '.'}: {err.strerror or err}"
            continue
        for path, is_folder in found:
            yield path, is_folder, None
            if is_folder and descend(path):
                pending.append(path)


def _is_real_folder(entry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False  # read (and rejected) as a path instead




def _hidden(name: str) -> bool:
    return name.startswith((".", "~")) or name.lower().endswith(_TEMPORARY_SUFFIXES)


def _supported(name: str) -> bool:
    try:
        detect_format(name)
    except RejectError:
        return False
    return True


def is_streamed(path: str) -> bool:
    """A file read as a stream of records, never whole: JSONL (``is_jsonl``) or a WARC archive."""
    try:
        return detect_format(path)[0] in ("jsonl", "warc")
    except RejectError:
        return False


def is_jsonl(path: str) -> bool:
    """A file name ending in .jsonl / .ndjson (and a compression suffix, if any)."""
    try:
        return detect_format(path)[0] == "jsonl"
    except RejectError:
        return False


def check_regular_file(path: str) -> None:
    """Reject a local path that is not a regular file, before anything opens it: a FIFO blocks
    the reader forever, ``/dev/zero`` never ends, a folder cannot be read. Links are followed
    (``os.stat``), so a link is judged by its target; a broken link or a loop is a read_error.
    Remote paths (``scheme://``) hold only files and are not checked."""
    if "://" in path:
        return
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        raise RejectError(READ_ERROR, f"cannot open {path}: {_link_note(path)}{err.strerror or err}") from None
    if not stat.S_ISREG(mode):
        kind = next((name for is_kind, name in _KINDS if is_kind(mode)), "of an unknown type")
        raise RejectError(NOT_A_REGULAR_FILE, f"{path} is {_link_note(path)}{kind}, not a regular file")


def _link_note(path: str) -> str:
    try:
        return f"a symbolic link to {os.readlink(path)!r}: "
    except OSError:
        return ""  # not a link


def transport_path(path: str) -> str:
    """``path`` in a form Beam can encode between steps: a file name that is not valid UTF-8
    (Python holds its bytes as lone surrogates) travels as the hex of its bytes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return _FS_BYTES + os.fsencode(path).hex()


def local_path(element: str) -> str:
    """The path ``transport_path`` made ``element`` from (the file can be opened with it)."""
    return os.fsdecode(bytes.fromhex(element[len(_FS_BYTES):])) if element.startswith(_FS_BYTES) else element
