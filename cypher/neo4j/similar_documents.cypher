// Documents nearest to a document by embedding (the document vector index, cosine), with the
// labels each has.
// params: id, k
MATCH (d0:Document {id: $id})
CALL db.index.vector.queryNodes('embedding_Document', CASE WHEN $k + 1 > 100 THEN $k + 1 ELSE 100 END, d0.embedding) YIELD node AS d
WITH d0, d, 2 * vector.similarity.cosine(d0.embedding, d.embedding) - 1 AS score
WHERE d <> d0
ORDER BY score DESC, d.id
LIMIT $k
OPTIONAL MATCH (d)-[:HAS_LABEL]->(l:Label)
WITH d, score, l ORDER BY l.name
RETURN d.id AS id, d.title AS title, score, collect(l.name) AS labels
ORDER BY score DESC, id
