"""Registered domains by the Public Suffix List ("www.bbc.co.uk" -> "bbc.co.uk"), quick to start.

The list is the snapshot tldextract ships (read as a file: nothing is downloaded), parsed by
tldextract's own parser. tldextract itself took ~0.15 s to import and build its trie, more than
``newsbeam clean`` spends on a page, so the parsed rules are kept in the start-up cache
(``transforms.startup_cache``, keyed by the snapshot's digest) and looked up here by walking
the host's labels from the right exactly as tldextract's trie walk does (private suffixes
included, wildcards and their exceptions; labels in punycode compared decoded). The tests
hold this to tldextract's ``top_domain_under_public_suffix`` on every rule of the list.
"""
import hashlib
import importlib.util
from pathlib import Path
from typing import FrozenSet, List, Optional, Tuple

from transforms.startup_cache import cached

__all__ = ["registered_domain"]

_SNAPSHOT = ".tld_set_snapshot"
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_RULES: Optional[Tuple[FrozenSet[str], FrozenSet[str]]] = None


def registered_domain(host: str) -> str:
    """The label before the host's public suffix, with the suffix ("" when the host has no
    public suffix, or is one): what tldextract's ``top_domain_under_public_suffix`` gives."""
    labels = host.translate(_DOTS).split(".")
    start = _suffix_start([_decoded(label) for label in labels])
    if not start or not labels[start - 1]:  # no suffix, the host is one, or no label before it
        return ""
    return ".".join(labels[start - 1:])


def _suffix_start(labels: List[str]) -> Optional[int]:
    """Index of the first label of the public suffix, or None (tldextract's ``suffix_index``)."""
    nodes, ends = _rules()
    found, parent = None, ""
    for index in range(len(labels) - 1, -1, -1):
        tail = f"{labels[index]}.{parent}" if parent else labels[index]
        if tail in nodes:
            parent = tail
            if tail in ends:
                found = index
            continue
        if (f"*.{parent}" if parent else "*") in ends:  # a wildcard: this label is part of the suffix
            return index + 1 if f"!{tail}" in ends else index
        break
    return found


def _decoded(label: str) -> str:
    lowered = label.lower()
    if lowered.startswith("xn--"):
        import idna  # only for punycode labels; requests' own dependency

        try:
            return idna.decode(lowered)
        except (UnicodeError, IndexError):
            pass
    return lowered


def _rules() -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(every suffix and every tail of one, the suffixes themselves), loaded once."""
    global _RULES  # pylint: disable=global-statement - one immutable table per process
    if _RULES is None:
        snapshot = _snapshot_path()
        text = snapshot.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        _RULES = cached("public-suffixes", digest, lambda: _parse(text))
    return _RULES


def _snapshot_path() -> Path:
    """tldextract's bundled list, found without importing tldextract (which imports requests)."""
    spec = importlib.util.find_spec("tldextract")
    return Path(list(spec.submodule_search_locations)[0]) / _SNAPSHOT


def _parse(text: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    from tldextract.suffix_list import extract_tlds_from_suffix_list

    public, private = extract_tlds_from_suffix_list(text)
    ends = frozenset(public) | frozenset(private)
    nodes = {".".join(labels[i:]) for labels in (end.split(".") for end in ends) for i in range(len(labels))}
    return frozenset(nodes), ends
