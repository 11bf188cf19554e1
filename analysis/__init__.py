"""The answer, pure: diagnostic names, curve summaries, conditions and the report.

Imports models only (no TensorFlow, no api, no worker), so the worker diagnoses each epoch with
it and the API builds reports and re-diagnoses stored jobs with the same code.
"""
