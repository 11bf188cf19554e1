"""The HTTP API: accepts experiment specs, queues their jobs, serves their results."""
