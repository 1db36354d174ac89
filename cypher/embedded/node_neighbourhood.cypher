// For a generic graph's node, what the graph says and what the embedding says, one row per
// neighbour: kind 'graph' (its LINK neighbours, heaviest first, then by how many neighbours
// they share with it, score = weight, common = that count) and kind
// 'embedding' (top-k by cosine); a neighbour listed by both shows what the embedding confirms.
// params: id, k
MATCH (n:Node {id: $id})-[l:LINK]-(m:Node)
WITH n, m, coalesce(l.weight, 1.0) AS score
WITH m, score, COUNT { MATCH (n)-[:LINK]-(x:Node)-[:LINK]-(m) } AS common
ORDER BY score DESC, common DESC, m.id LIMIT $k
RETURN 'graph' AS kind, m.id AS name, CAST(score AS DOUBLE) AS score, common
UNION ALL
MATCH (n:Node {id: $id}), (m:Node)
WHERE m.id <> $id AND n.embedding IS NOT NULL AND m.embedding IS NOT NULL
WITH m, array_cosine_similarity(n.embedding, m.embedding) AS score
ORDER BY score DESC, m.id LIMIT $k
RETURN 'embedding' AS kind, m.id AS name, CAST(score AS DOUBLE) AS score, 0 AS common
