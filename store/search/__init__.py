"""The query language, the index, ranking and the index cache."""
