"""pynamodb models. Table names come from the environment (see infra/resources.json Metadata)."""
