"""cchc-graph: Vietnamese provincial administrative-reform (CCHC) plans as a knowledge graph."""

__version__ = "0.1.0"
