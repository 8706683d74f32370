"""Sinks: partitioned Parquet, the commit protocol, manifests, feed state."""
