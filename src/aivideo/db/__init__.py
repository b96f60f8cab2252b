"""The data layer: ORM models, the engine factory and migrations."""
