"""Extractors that misbehave, for the time-limit tests (module level, so a spawned child can import them)."""
import os
import time

from transforms.sources.formats import extract_document


def hang_on_marker(raw):
    """Never returns for a document whose bytes contain b"HANG"; extracts the others."""
    if b"HANG" in raw.data:
        time.sleep(3600)
    return extract_document(raw)


def die_on_marker(raw):
    """Kills its own process for a document containing b"DIE" (as a segfault would)."""
    if b"DIE" in raw.data:
        os._exit(3)
    return extract_document(raw)


def raise_on_marker(raw):
    """Raises an unexpected exception for a document containing b"RAISE"."""
    if b"RAISE" in raw.data:
        raise ValueError("extractor bug")
    return extract_document(raw)
