"""Experiments that settle themselves: seeds added until every pair is decided, and searches
over ranges whose trials Optuna samples and prunes."""
