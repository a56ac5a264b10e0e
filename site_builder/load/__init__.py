"""Reading source files: the strict YAML loader and strict scalar parsing."""
