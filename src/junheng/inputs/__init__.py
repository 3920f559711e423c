"""Data in: the data contract (schema.yaml), reading files, validation, the Excel template."""
