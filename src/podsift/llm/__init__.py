"""Language models: one chat client for every LLM use in podsift, providers by name."""
