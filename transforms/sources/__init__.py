"""Sources: files and feeds into units of work (read capped, decompress, split, extract)."""
