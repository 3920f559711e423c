"""junheng (均衡): reproducible evaluation of county compulsory-education balance."""

__version__ = "0.1.0"
