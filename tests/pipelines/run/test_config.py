"""Config layering and validation (pure)."""
import pytest

from pipelines.errors import ConfigError
from pipelines.run.config import build_settings, load_defaults, merge


def test_defaults_are_valid():
    settings = build_settings({}, {})
    assert settings.output == "./out" and settings.partition_columns == ("source",)
    assert settings.max_file_bytes == 64 * 1024 * 1024


def test_user_file_overrides_only_what_it_sets():
    settings = build_settings({"writer": {"max_rows_per_file": 10}}, {})
    assert settings.max_rows_per_file == 10 and settings.compression == "zstd"


def test_cli_flags_override_the_file():
    settings = build_settings({"output": "from-file"}, {"output": "from-flag", "run_id": None})
    assert settings.output == "from-flag" and settings.run_id is None


@pytest.mark.parametrize("user, needle", [
    ({"outptu": "x"}, "'outptu'"),
    ({"writer": {"compression": "lz77"}}, "writer.compression"),
    ({"partition": {"columns": ["title"]}}, "partition.columns"),
    ({"partition": "source"}, "'partition': expected a mapping"),
    ({"run_id": "../escape"}, "run_id"),
    ({"writer": {"max_rows_per_file": 0}}, "positive integer"),
    ({"inputs": [""]}, "inputs"),
    ({"records": {"fields": {"body": "text"}}}, "'records.fields.body': unknown field"),
    ({"records": {"fields": {"text": 3}}}, "'records.fields.text': expected the input's field name"),
    ({"records": {"fields": {"title": ""}}}, "'records.fields.title'"),
    ({"records": {"fields": ["text"]}}, "'records.fields': expected a mapping"),
    ({"site_boilerplate": {"enabled": "yes"}}, "'site_boilerplate.enabled': expected true or false"),
    ({"site_boilerplate": {"min_share": 1.5}}, "'site_boilerplate.min_share': expected a share"),
    ({"site_boilerplate": {"min_count": 1}}, "'site_boilerplate.min_count'"),
    ({"site_boilerplate": {"lookback_runs": -1}}, "'site_boilerplate.lookback_runs'"),
])
def test_invalid_values_name_the_key(user, needle):
    with pytest.raises(ConfigError, match=None) as err:
        build_settings(user, {})
    assert needle in str(err.value)


def test_record_fields_default_to_newsbeams_own_names_and_take_a_mapping():
    assert build_settings({}, {}).record_fields == {}
    settings = build_settings({"records": {"fields": {"text": "body", "title": "headline"}}}, {})
    assert settings.record_fields == {"text": "body", "title": "headline"}


def test_site_boilerplate_defaults_match_the_documented_ones():
    from transforms.text.site_lines import SiteLineParams

    assert build_settings({}, {}).site_lines == SiteLineParams()
    assert build_settings({"site_boilerplate": {"min_count": 6}}, {}).site_lines.min_count == 6


def test_merge_keeps_nested_defaults():
    merged = merge(load_defaults(), {"limits": {"max_file_mb": 1}})
    assert merged["limits"]["max_record_mb"] == load_defaults()["limits"]["max_record_mb"]


def test_the_manifest_config_has_the_yaml_keys_and_round_trips():
    from pipelines.run.config import build_settings, load_defaults, yaml_config

    settings = build_settings({"fetch": {"allow_networks": ["127.0.0.1/32"], "articles": "never"},
                               "sources": [{"type": "feed", "urls": ["https://a.example/rss"]}],
                               "limits": {"max_record_mb": 0.5}, "expectations": {"fill": {"title": 0.9}}},
                              {"inputs": ["in/*.txt"]})
    shown = yaml_config(settings)

    def keys(mapping, prefix=""):
        found = set()
        for key, value in mapping.items():
            found.add(prefix + key)
            if isinstance(value, dict) and key not in ("fields", "fill", "sources"):
                found |= keys(value, f"{prefix}{key}.")
        return found

    assert keys(shown) == keys(load_defaults())
    assert shown["fetch"]["connect_timeout_s"] == 10 and shown["limits"]["max_record_mb"] == 0.5
    assert build_settings(shown, {}) == settings
