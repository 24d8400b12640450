"""Domain rules in plain Python: no AWS, no HTTP, testable in milliseconds."""
