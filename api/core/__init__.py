"""Cross-cutting HTTP concerns: auth, limits, errors, metrics, docs, query and body parsing."""
