"""The HTTP API: the app factory, its middleware, error mapping and routes."""
