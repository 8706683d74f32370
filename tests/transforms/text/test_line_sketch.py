"""The count-min sketch that picks the lines worth counting exactly."""
import numpy as np

from transforms.text.line_sketch import LineSketch


def test_never_under_counts_and_rarely_over_counts():
    rng = np.random.default_rng(7)
    singles = rng.integers(-2 ** 63, 2 ** 63 - 1, size=200_000, dtype=np.int64)
    repeated = singles[:500]
    sketch = LineSketch(megabytes=4).add(singles).add(repeated).add(repeated)
    assert (sketch.estimate(repeated) >= 3).all()
    assert (sketch.estimate(singles) >= 1).all()
    assert (sketch.estimate(singles[500:]) >= 2).mean() < 0.001


def test_weights_merge_and_saturation():
    first = LineSketch(megabytes=1).add([5, 6], [3, 1])
    second = LineSketch(megabytes=1).add([5], [400])
    merged = first.merge(second)
    assert merged.estimate([5, 6]).tolist() == [255, 1]
    assert merged.estimate([7]).tolist() == [0]


def test_line_counts_are_exact_below_the_cap():
    from transforms.text.line_sketch import LineCounts

    rng = np.random.default_rng(7)
    singles = rng.integers(-2**63, 2**63 - 1, size=200_000, dtype=np.int64)
    repeated = singles[:500]
    counts = LineCounts(megabytes=1).add(singles).add(repeated).add(repeated[:5], [40] * 5)
    estimate = counts.estimate(singles)
    assert (estimate[:5] == 42).all() and (estimate[5:500] == 2).all() and (estimate[500:] == 1).all()
    assert counts.sketch is None and counts.estimate([123]).tolist() == [0]
    kept = counts.at_least(2)
    assert (kept.estimate(singles[:500]) >= 2).all() and not kept.estimate(singles[500:]).any()


def test_line_counts_merge_exactly_and_into_a_sketch_over_the_cap():
    from transforms.text.line_sketch import LineCounts

    rng = np.random.default_rng(8)
    lines = rng.integers(-2**63, 2**63 - 1, size=120_000, dtype=np.int64)
    first, second = LineCounts().add(lines[:60_000]), LineCounts().add(lines[60_000:]).add(lines[:100])
    assert (first.merge(second).estimate(lines[:100]) == 2).all()
    capped = LineCounts(max_lines=50_000).add(lines).add(lines[:100])
    assert capped.sketch is not None  # over the cap: an upper bound, sized to the lines
    assert (capped.estimate(lines[:100]) >= 2).all() and (capped.estimate(lines[100:]) >= 2).mean() < 0.01
    exact = LineCounts().add(lines[:100])
    assert (exact.merge(capped).estimate(lines[:100]) >= 3).all()  # an exact part merged into a sketch


def test_a_sketch_folded_to_half_its_width_is_the_sketch_built_at_that_width():
    from transforms.text.line_sketch import _folded

    lines = np.random.default_rng(9).integers(-2**63, 2**63 - 1, size=50_000, dtype=np.int64)
    wide, narrow = LineSketch(megabytes=4).add(lines), LineSketch(megabytes=1).add(lines)
    assert (_folded(wide, narrow.table.shape[1]).table == narrow.table).all()


def test_line_counts_empty_and_pickled():
    import pickle

    from transforms.text.line_sketch import LineCounts

    empty = LineCounts().add([]).merge(LineCounts())
    assert empty.estimate([]).tolist() == [] and empty.estimate([1, 2]).tolist() == [0, 0]
    assert empty.at_least(2).estimate([1]).tolist() == [0]
    shipped = pickle.loads(pickle.dumps(LineCounts().add([1, 1, 2])))  # a combine's accumulator travels pickled
    assert shipped.estimate([1, 2, 3]).tolist() == [2, 1, 0]
