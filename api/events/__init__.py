"""The live event streams of jobs and experiments: reading the event log, capacity, SSE."""
