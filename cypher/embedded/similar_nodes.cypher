// For a generic graph: nodes nearest to a node by embedding (exact cosine over every node vector),
// whether each is already linked to it, and its degree.
// params: id, k
MATCH (n:Node {id: $id}) WHERE n.embedding IS NOT NULL
MATCH (m:Node) WHERE m.id <> $id AND m.embedding IS NOT NULL
WITH n, m, array_cosine_similarity(n.embedding, m.embedding) AS score
ORDER BY score DESC, m.id
LIMIT $k
OPTIONAL MATCH (n)-[l:LINK]-(m)
WITH m, score, count(l) > 0 AS linked
OPTIONAL MATCH (m)-[e:LINK]-()
RETURN m.id AS id, score, linked, count(e) AS degree
ORDER BY score DESC, id
