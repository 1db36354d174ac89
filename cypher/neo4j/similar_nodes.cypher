// For a generic graph: nodes nearest to a node by embedding (the Node vector index, at least 100
// candidates rescored exactly, as in similar_labels), whether each is already linked to it, and
// its degree.
// params: id, k
MATCH (n:Node {id: $id})
CALL db.index.vector.queryNodes('embedding_Node', CASE WHEN $k + 1 > 100 THEN $k + 1 ELSE 100 END, n.embedding) YIELD node AS m
WITH n, m, 2 * vector.similarity.cosine(n.embedding, m.embedding) - 1 AS score
WHERE m <> n
ORDER BY score DESC, m.id
LIMIT $k
RETURN m.id AS id, score, EXISTS { (n)-[:LINK]-(m) } AS linked, COUNT { (m)-[:LINK]-() } AS degree
ORDER BY score DESC, id
