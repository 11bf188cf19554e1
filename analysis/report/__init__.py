"""The experiment report: per-config statistics over seeds, comparisons, and findings."""
