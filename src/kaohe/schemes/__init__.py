"""Built-in scheme files (one YAML file per scheme)."""
