"""Tools over a committed output: inspect, report, replay, and clean for one document."""
