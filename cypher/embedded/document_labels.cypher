// The labels a document has, with their document frequency.
// params: id
MATCH (d:Document {id: $id})-[:HAS_LABEL]->(l:Label)
RETURN l.name AS name, l.df AS df
ORDER BY df DESC, name
