// Documents that lack a label but are closest to it (exact cosine between document and label
// vectors of a bipartite embedding), with their current labels.
// params: name, k
MATCH (l:Label {name: $name}) WHERE l.embedding IS NOT NULL
MATCH (d:Document) WHERE d.embedding IS NOT NULL AND NOT EXISTS { MATCH (d)-[:HAS_LABEL]->(l) }
WITH d, array_cosine_similarity(l.embedding, d.embedding) AS score
ORDER BY score DESC, d.id
LIMIT $k
OPTIONAL MATCH (d)-[:HAS_LABEL]->(o:Label)
RETURN d.id AS id, d.title AS title, score, list_sort(collect(o.name)) AS labels
ORDER BY score DESC, id
