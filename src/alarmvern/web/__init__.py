"""The HTTP API: routers that the server mounts on one FastAPI app."""
