"""The shapes compiled to SPARQL and run on Oxigraph (`--engine oxigraph`).

- data.py: the data graph (an OxigraphDataset of ../../../store.py: an in-memory store of our own, or a dataset
  validated in place), the literals as written beside Oxigraph's canonical form, the way back to the rdflib
  terms, a read-only graph view for the report;
- engine.py: targets, the shapes (each one's components on all its focus nodes at once), the findings and the
  report graph;
- context.py: what the components of one shape share: its focus and value nodes as SPARQL groups, the value
  nodes that fail nested shapes, the results;
- components/: one class per constraint component, citing the section of the SHACL Recommendation that
  defines it, in one module per section (value_type 4.1, cardinality 4.2, value_range 4.3, string_based 4.4,
  property_pair 4.5, logical 4.6, shape_based 4.7, other 4.8, sparql 5–6), and the registry (parameter →
  components) that decides what is supported.
"""
