"""The read stage against paths that are not regular files: FIFOs, devices, sockets, folders,
broken links, link loops and folders that cannot be listed. Each is one rejected row (read
before nothing is opened) and the files around it are still read."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.errors import NOT_A_REGULAR_FILE, READ_ERROR, RejectError
from transforms.sources.files import check_regular_file
from transforms.sources.read import Listed, ReadInputFiles, all_rejected, match_local

REPO = Path(__file__).resolve().parents[3]
SAFETY_NET_SECONDS = 300  # the old reader blocked forever opening a FIFO: a hang fails the test, nothing is timed
GOOD_RECORDS = [("good.txt", b"A good text file."), ("good.jsonl", b'{"id": "1", "text": "one"}')]


def within_safety_net(run) -> None:
    """Run ``run`` in a thread; fail if it is still running after SAFETY_NET_SECONDS."""
    failures = []

    def target():
        try:
            run()
        except BaseException as err:  # noqa: BLE001 - re-raised below, in the test's thread
            failures.append(err)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(SAFETY_NET_SECONDS)
    assert not worker.is_alive(), "the read stage hung"
    if failures:
        raise failures[0]


def check_read(patterns, records, rejected) -> None:
    """ReadInputFiles gives these (file name, record bytes) and (file name, reason) rows."""

    def run():
        with TestPipeline() as p:
            out = p | ReadInputFiles(patterns, "t1", 1 << 20, 1 << 20)
            assert_that(out["records"] | beam.Map(lambda r: (os.path.basename(r.source_uri), r.data)),
                        equal_to(records), label="records")
            assert_that(all_rejected(out) | beam.Map(lambda r: (os.path.basename(r["source_uri"]), r["reason"])),
                        equal_to(rejected), label="rejected")

    within_safety_net(run)


@pytest.fixture
def hostile(tmp_path):
    """Two good files among every kind of path that is not a regular file."""
    (tmp_path / "good.txt").write_bytes(b"A good text file.")
    (tmp_path / "good.jsonl").write_bytes(b'{"id": "1", "text": "one"}\n')
    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink("/dev/zero", tmp_path / "zero.jsonl")
    os.symlink("/dev/null", tmp_path / "null.txt")
    (tmp_path / "folder.txt").mkdir()
    os.symlink(tmp_path / "missing.txt", tmp_path / "dangling.txt")
    os.symlink("loop.txt", tmp_path / "loop.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.txt"))
    yield tmp_path
    server.close()


def test_only_regular_files_are_read_and_every_other_path_is_one_row(hostile):
    check_read([str(hostile / "*")], GOOD_RECORDS, [
        ("pipe.txt", NOT_A_REGULAR_FILE), ("zero.jsonl", NOT_A_REGULAR_FILE), ("null.txt", NOT_A_REGULAR_FILE),
        ("folder.txt", NOT_A_REGULAR_FILE), ("sock.txt", NOT_A_REGULAR_FILE),
        ("dangling.txt", READ_ERROR), ("loop.txt", READ_ERROR),
    ])


def test_plain_paths_to_a_folder_a_fifo_or_nothing_are_rows(hostile):
    plain = [str(hostile / name) for name in ("good.txt", "folder.txt", "pipe.txt", "nothing.txt")]
    check_read(plain, GOOD_RECORDS[:1], [
        ("folder.txt", READ_ERROR), ("pipe.txt", NOT_A_REGULAR_FILE), ("nothing.txt", READ_ERROR),
    ])  # a folder given as a plain path is an --input DIR: with no file newsbeam reads, one row says so


@pytest.mark.parametrize("name, reason, says", [
    ("pipe.txt", NOT_A_REGULAR_FILE, "is a FIFO"),
    ("zero.jsonl", NOT_A_REGULAR_FILE, "symbolic link to '/dev/zero': a character device"),
    ("folder.txt", NOT_A_REGULAR_FILE, "is a folder"),
    ("sock.txt", NOT_A_REGULAR_FILE, "is a socket"),
    ("dangling.txt", READ_ERROR, "No such file"),
    ("loop.txt", READ_ERROR, "Too many levels of symbolic links"),
])
def test_check_regular_file_names_the_path_and_what_it_is(hostile, name, reason, says):
    with pytest.raises(RejectError) as caught:
        check_regular_file(str(hostile / name))
    assert caught.value.reason == reason
    assert str(hostile / name) in caught.value.message and says in caught.value.message


def test_check_regular_file_follows_a_link_to_a_file_and_skips_remote_paths(hostile):
    os.symlink(hostile / "good.txt", hostile / "link.txt")
    check_regular_file(str(hostile / "link.txt"))
    check_regular_file("gs://bucket/pipe.txt")


@pytest.fixture
def tree(tmp_path):
    for name in ("a/x.txt", "a/b/y.txt", "x.txt/z.txt", "top.txt", "a/notes.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"text")
    (tmp_path / "empty").mkdir()
    os.symlink(tmp_path / "a", tmp_path / "linked")
    return tmp_path


def names(listed, root):
    return sorted((os.path.relpath(entry.path, root), entry.error) for entry in listed)


def test_a_folder_the_glob_names_but_cannot_reach_into_is_named(tree):
    assert names(match_local(str(tree / "*.txt")), tree) == [("top.txt", None), ("x.txt", None)]
    assert names(match_local(str(tree / "*")), tree) == [(name, None) for name in
                                                        ("a", "empty", "linked", "top.txt", "x.txt")]


def test_double_star_walks_folders_without_naming_them_and_never_follows_links(tree):
    assert names(match_local(str(tree / "**")), tree) == [(name, None) for name in (
        "a/b/y.txt", "a/notes.md", "a/x.txt", "linked", "top.txt", "x.txt/z.txt")]
    assert names(match_local(str(tree / "**" / "*.txt")), tree) == [
        ("a/b/y.txt", None), ("a/x.txt", None), ("x.txt/z.txt", None)]


def test_match_local_agrees_with_beam_on_regular_files(tree):
    from apache_beam.io.filesystems import FileSystems
    for pattern in ("*", "**", "**/*.txt", "a/*", "a/**.txt", "*/x.txt"):
        beams = sorted(meta.path for meta in FileSystems.match([str(tree / pattern)])[0].metadata_list)
        ours = sorted(entry.path for entry in match_local(str(tree / pattern)) if os.path.isfile(entry.path))
        assert ours == beams, pattern


def test_a_folder_that_cannot_be_listed_is_a_row_not_a_gap(tree):
    def scandir(folder):
        if folder.endswith("/b"):
            raise PermissionError(13, "Permission denied", folder)
        return os.scandir(folder)

    listed = match_local(str(tree / "**" / "*.txt"), scandir)
    assert names(listed, tree) == [("a/b", "cannot list the folder %s: Permission denied" % (tree / "a" / "b")),
                                   ("a/x.txt", None), ("x.txt/z.txt", None)]
    assert match_local(str(tree / "a" / "*.txt"), scandir) == [Listed(str(tree / "a" / "x.txt"))]  # b not entered


def test_read_stage_counts_an_unlistable_folder(tree, monkeypatch):
    real = os.scandir

    def scandir(folder="."):
        if str(folder).endswith("/b"):
            raise PermissionError(13, "Permission denied", folder)
        return real(folder)

    monkeypatch.setattr(os, "scandir", scandir)
    check_read([str(tree / "a" / "**.txt")], [("x.txt", b"text")], [("b", READ_ERROR)])


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to drop to nobody")
def test_a_folder_nobody_may_list_is_a_row_for_a_real_unprivileged_reader():
    """As root every folder can be listed, so the walk runs as nobody in a child process."""
    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o755)
        for name in ("open/x.txt", "shut/y.txt"):
            os.makedirs(os.path.join(top, os.path.dirname(name)), mode=0o755, exist_ok=True)
            Path(top, name).write_bytes(b"text")
        os.chmod(os.path.join(top, "shut"), 0)
        code = ("import json, sys; from transforms.sources.read import match_local; "
                "print(json.dumps([[e.path, e.error] for e in match_local(sys.argv[1])]))")
        done = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                               sys.executable, "-c", code, os.path.join(top, "**")],
                              cwd=REPO, capture_output=True, text=True, timeout=SAFETY_NET_SECONDS, check=True)
        listed = sorted((os.path.relpath(path, top), error) for path, error in json.loads(done.stdout))
        os.chmod(os.path.join(top, "shut"), 0o755)
    assert listed == [("open/x.txt", None), ("shut", f"cannot list the folder {top}/shut: Permission denied")]


def test_a_folder_input_names_a_subfolder_it_cannot_list(tmp_path):
    (tmp_path / "dump" / "locked").mkdir(parents=True)
    (tmp_path / "dump" / "a.txt").write_text("An article.")
    (tmp_path / "dump" / ".hidden.txt").write_text("left out")

    def scandir(folder):
        if folder.endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return os.scandir(folder)

    listed = match_local(str(tmp_path / "dump"), scandir)
    assert [(os.path.basename(entry.path), bool(entry.error)) for entry in listed] == [("a.txt", False), ("locked", True)]
