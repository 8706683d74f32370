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
