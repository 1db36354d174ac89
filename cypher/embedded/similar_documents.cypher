// Documents nearest to a document by embedding (exact cosine over every document vector), with
// the labels each has.
// params: id, k
MATCH (v:Document {id: $id}) WHERE v.embedding IS NOT NULL
MATCH (d:Document) WHERE d.id <> $id AND d.embedding IS NOT NULL
WITH d, array_cosine_similarity(v.embedding, d.embedding) AS score
ORDER BY score DESC, d.id
LIMIT $k
OPTIONAL MATCH (d)-[:HAS_LABEL]->(l:Label)
RETURN d.id AS id, d.title AS title, score, list_sort(collect(l.name)) AS labels
ORDER BY score DESC, id
