"""Plain (open) rdflib Namespaces for the tests. pytest probes module globals while collecting, which rdflib's
closed DefinedNamespaces (cchc_graph.namespaces) answer with a warning; these answer quietly."""

from rdflib import Namespace

from cchc_graph.validate import SHAPES_NS

SH = Namespace("http://www.w3.org/ns/shacl#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
TIME = Namespace("http://www.w3.org/2006/time#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CCHC = Namespace("https://w3id.org/cchc-graph/ontology#")
ID = Namespace("https://w3id.org/cchc-graph/id/")
CCHCSH = Namespace(SHAPES_NS)
