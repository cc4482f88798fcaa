"""The two SHACL engines: pySHACL (the reference) and the shapes compiled to SPARQL on Oxigraph."""
