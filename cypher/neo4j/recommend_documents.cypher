// Documents that lack a label but are closest to it (cosine between document and label vectors
// of a bipartite embedding, exact over every document vector), with their current labels.
// params: name, k
MATCH (l:Label {name: $name})
MATCH (d:Document)
WHERE d.embedding IS NOT NULL AND NOT (d)-[:HAS_LABEL]->(l)
WITH d, vector.similarity.cosine(d.embedding, l.embedding) * 2 - 1 AS score
ORDER BY score DESC, d.id
LIMIT $k
OPTIONAL MATCH (d)-[:HAS_LABEL]->(o:Label)
WITH d, score, o ORDER BY o.name
RETURN d.id AS id, d.title AS title, score, collect(o.name) AS labels
ORDER BY score DESC, id
