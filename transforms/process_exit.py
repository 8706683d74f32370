"""A process that exits without the interpreter's last collection over its heap.

When a process ends, the interpreter's final collection walks everything it built: ~0.55 s for
each worker of a local run (the runner closes them one after the other and waits for each:
1.1 s of every run, whatever its size), ~70 ms for a ``newsbeam clean`` that parsed one page.
``skip_final_collection`` registers, once per process, an exit handler that freezes the heap
(``gc.freeze``): exit handlers run before that collection, which then has nothing to walk.
Nothing changes while the process works. Files are closed by the writers themselves, never by
a collection at exit. Called by the command line (``pipelines/cli/main.py``) and from DoFns'
``setup`` (every worker process).
"""
import atexit
import gc

__all__ = ["skip_final_collection"]

_REGISTERED = []


def skip_final_collection() -> None:
    """At this process's exit, freeze the heap before finalising (registered once)."""
    if not _REGISTERED:
        atexit.register(gc.freeze)
        _REGISTERED.append(True)
