"""The shapes compiled to SPARQL and run on Oxigraph (`--engine oxigraph`).

- data.py: the data graph in an Oxigraph store, the way back to the rdflib terms, a read-only graph view;
- engine.py: targets, the set-wide queries of the components our shapes use (cardinality, sh:class,
  sh:uniqueLang, sh:or, sh:node, nested property shapes) and the report;
- values.py: the value-type and string/range components, checked on each distinct value node (SHACL 4.1–4.4,
  4.8.3);
- value_sets.py: components on a focus node's values together or other properties (SHACL 4.5–4.8);
- sparql.py: SHACL-SPARQL constraints and custom constraint components (SHACL 5, 6), with pre-binding
  (../../prebinding.py).
"""
