"""Adapters to AWS: small modules over lazily created, cached boto3 clients configured from the environment."""
