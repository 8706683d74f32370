"""Packaged configuration: ``defaults.yaml`` and the rule packs in ``rules/``; ``load_yaml`` reads them.

``load_yaml`` is ``yaml.safe_load`` through libyaml's C parser when PyYAML was built with it
(the same documents and errors, ~10x faster: the rule packs are read by every process).
"""
import yaml

__all__ = ["load_yaml"]

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str):
    """``yaml.safe_load(text)``, with the C parser when there is one."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
