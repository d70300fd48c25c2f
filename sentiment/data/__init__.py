"""Data shipped with the sentiment package: the fitted model (model.json)."""
