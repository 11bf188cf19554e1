"""What the routes do, without HTTP: experiments, jobs, and their diagnostics."""
