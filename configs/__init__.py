"""Packaged configuration: ``defaults.yaml`` and the rule packs in ``rules/``; ``load_yaml`` reads them.

``load_yaml`` is ``yaml.safe_load`` through libyaml's C parser when PyYAML was built with it
(the same documents, ~10x faster: the rule packs are read by every process); a document that
is not YAML raises ``InvalidYAML`` with PyYAML's message. PyYAML is imported on first use:
``newsbeam clean`` reads its packaged YAML from the start-up cache and never needs it.
"""

__all__ = ["load_yaml", "InvalidYAML"]


class InvalidYAML(ValueError):
    """The text is not a YAML document (the message is PyYAML's)."""


def load_yaml(text: str):
    """``yaml.safe_load(text)``, with the C parser when there is one."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        raise InvalidYAML(str(err)) from None
