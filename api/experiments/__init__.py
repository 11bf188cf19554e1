"""Experiments: routes, the service, submission, curation, reports, plots and exports."""
