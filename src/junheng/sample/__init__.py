"""The sample generator: the bundled fictional province, broken examples, national-scale data."""
