// Documents nearest to a document by embedding (exact cosine over every document vector), with
// the labels each has.
// params: id, k
MATCH (v:DocumentEmbedding {key: $id})
MATCH (w:DocumentEmbedding) WHERE w.key <> $id
WITH w, array_cosine_similarity(v.embedding, w.embedding) AS score
ORDER BY score DESC, w.key
LIMIT $k
MATCH (d:Document {id: w.key})
OPTIONAL MATCH (d)-[:HAS_LABEL]->(l:Label)
RETURN d.id AS id, d.title AS title, score, list_sort(collect(l.name)) AS labels
ORDER BY score DESC, id
