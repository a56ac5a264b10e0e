"""Cross-field and cross-file checks that a schema alone cannot express."""
