"""Use cases: plain functions that apply the domain rules through the adapters."""
