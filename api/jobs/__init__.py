"""Jobs: routes, the service, metric filters and cancellation."""
