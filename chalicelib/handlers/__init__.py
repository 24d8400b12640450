"""HTTP handlers as Chalice Blueprints: parse, call a use case, shape the response."""
