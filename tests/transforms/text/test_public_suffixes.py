"""The registered-domain lookup gives what tldextract gives, on every rule of the suffix list."""
import random

import pytest
import tldextract

from transforms.text import public_suffixes
from transforms.text.public_suffixes import registered_domain


@pytest.fixture(scope="module")
def reference():
    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
    return lambda host: extractor.extract_str(host).top_domain_under_public_suffix


def _hosts_around(rule: str, rng: random.Random):
    """Hosts a rule decides: the rule itself, with labels before it, its wildcard filled in."""
    bare = rule.lstrip("!").replace("*", rng.choice(["x", "city", "www", "xn--80ak6aa92e"]))
    yield bare
    yield f"news.{bare}"
    yield f"a.b.{bare}"
    yield bare.split(".", 1)[-1]


def test_every_rule_of_the_list_agrees_with_tldextract(reference, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBEAM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(public_suffixes, "_RULES", None)
    rng = random.Random(7)
    _, ends = public_suffixes._rules()
    hosts = {host for rule in sorted(ends) for host in _hosts_around(rule, rng)}
    assert len(hosts) > 20_000
    differ = [(h, registered_domain(h), reference(h)) for h in sorted(hosts) if registered_domain(h) != reference(h)]
    assert differ == []


@pytest.mark.parametrize("host", [
    "www.bbc.co.uk", "jane.blogspot.com", "blogspot.com", "a.b.kawasaki.jp", "city.kawasaki.jp",
    "www.city.kawasaki.jp", "localhost", "127.0.0.1", "::1", "example", "foo.unknowntld", "",
    "xn--80ak6aa92e.com", "news.xn--p1ai", "www.example\u3002co\u3002uk", "a..b.com", ".com", "com.",
    "WWW.Example.COM", "xn--zz-invalid.com", "x.xn--.com",
])
def test_odd_hosts_agree_with_tldextract(reference, host):
    assert registered_domain(host) == reference(host)


def test_the_cached_rules_are_the_parsed_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBEAM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(public_suffixes, "_RULES", None)
    fresh = public_suffixes._rules()
    assert list(tmp_path.iterdir())  # written
    monkeypatch.setattr(public_suffixes, "_RULES", None)
    assert public_suffixes._rules() == fresh  # read back
