"""Deduplication: the rules (pure), staged rows and keys, history, the out-of-core decider."""
