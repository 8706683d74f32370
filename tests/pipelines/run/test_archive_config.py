"""The ``archive:`` section: filters on web archive pages, validated at config time (pure)."""
import pytest

from pipelines.errors import ConfigError
from pipelines.run.config import build_settings
from transforms.sources.page_filters import ArchiveFilters


def test_by_default_nothing_is_filtered():
    filters = build_settings({}, {}).archive
    assert filters == ArchiveFilters() and not filters.active


def test_the_lists_are_read_as_written():
    user = {"archive": {"hosts_allow": ["example.com"], "url_deny": [r"/video/"], "languages": ["en", "pt-BR"]}}
    filters = build_settings(user, {}).archive
    assert filters == ArchiveFilters(hosts_allow=("example.com",), url_deny=("/video/",), languages=("en", "pt-BR"))
    assert filters.active


@pytest.mark.parametrize("archive, needle", [
    ({"url_deny": ["/ok/", "([a-z]+"]}, "config key 'archive.url_deny': '([a-z]+' is not a valid regular expression"),
    ({"url_allow": ["*news"]}, "config key 'archive.url_allow': '*news' is not a valid regular expression"),
    ({"hosts_allow": ["https://example.com"]}, "config key 'archive.hosts_allow': 'https://example.com' is not a host"),
    ({"hosts_deny": [""]}, "config key 'archive.hosts_deny': expected a list of non-empty strings"),
    ({"languages": ["english language"]}, "config key 'archive.languages': 'english language' is not a language tag"),
    ({"languages": "en, de"}, "config key 'archive.languages'"),
    ({"hosts": ["example.com"]}, "config key 'archive.hosts': unknown key"),
])
def test_a_bad_filter_is_one_line_naming_the_key(archive, needle):
    with pytest.raises(ConfigError) as err:
        build_settings({"archive": archive}, {})
    assert needle in str(err.value) and "\n" not in str(err.value)
