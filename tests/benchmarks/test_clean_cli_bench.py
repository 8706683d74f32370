"""benchmarks/clean_cli.py: one small real run of both command lines, and its table."""
import pytest

from benchmarks import clean_cli


@pytest.mark.skipif(not clean_cli.SHARED.is_dir(), reason="fundus-dev pages not present in ../shared")
@pytest.mark.skipif(not (clean_cli.BIN / "newsbeam").exists() or not (clean_cli.BIN / "trafilatura").exists(),
                    reason="the newsbeam and trafilatura commands are not installed beside this interpreter")
def test_two_pages_one_round_print_every_row_and_ratio(capsys):
    assert clean_cli.main(["--pages", "2", "--rounds", "1"]) == 0
    printed = capsys.readouterr().out
    for row in ("| newsbeam clean PAGE | 2 |", "| trafilatura < PAGE | 2 |", "| trafilatura --json < PAGE | 2 |",
                "| newsbeam clean DIR | 1 |", "| trafilatura --input-dir DIR | 1 |"):
        assert row in printed
    assert printed.count(": wall ") == 3 and "(2 pages)" in printed


def test_the_table_reports_medians_and_ratios():
    runs = {"newsbeam clean PAGE": [(0.4, 0.5), (0.2, 0.3), (0.3, 0.4)], "trafilatura < PAGE": [(0.3, 0.3)],
            "trafilatura --json < PAGE": [(0.15, 0.2)], "newsbeam clean DIR": [(1.0, 2.0)],
            "trafilatura --input-dir DIR": [(0.5, 1.0)]}
    table = clean_cli.table(runs, 3)
    assert "| newsbeam clean PAGE | 3 | 0.300 | 0.200 | 0.400 |" in table
    assert "trafilatura < PAGE: wall 1.00, CPU 1.33" in table
    assert "trafilatura --json < PAGE: wall 2.00, CPU 2.00" in table
    assert "trafilatura --input-dir DIR: wall 2.00, CPU 2.00 (3 pages)" in table
