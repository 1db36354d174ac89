// Every document–label pair.
// params: none
MATCH (d:Document)-[:HAS_LABEL]->(l:Label) RETURN d.id AS doc, l.name AS label
