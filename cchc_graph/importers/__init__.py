"""`cchc-graph import`: a plan document (DOCX, XLSX, PDF) -> a plan folder and an import report."""
