"""Celery task names: the API sends tasks by name, so it never imports the worker."""

TRAIN_JOB = "normlab.train_job"
