"""`normlab`: a command-line client that talks HTTP to the API, whatever the deployment."""
