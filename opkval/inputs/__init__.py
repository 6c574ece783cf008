"""Inputs: the raw data, the kommuner, the pool's config, the plan and its readers."""
