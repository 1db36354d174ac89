// For a generic graph's node, what the graph says and what the embedding says, one row per
// neighbour: kind 'graph' (its LINK neighbours, heaviest first, then by how many neighbours
// they share with it, score = weight, common = that count) and kind
// 'embedding' (top-k by cosine, from the Node vector index, rescored exactly as in
// similar_labels); a neighbour listed by both shows what the embedding confirms.
// params: id, k
MATCH (n:Node {id: $id})-[l:LINK]-(m:Node)
WITH n, m, coalesce(l.weight, 1.0) AS score
WITH m, score, COUNT { (n)-[:LINK]-(:Node)-[:LINK]-(m) } AS common
ORDER BY score DESC, common DESC, m.id LIMIT $k
RETURN 'graph' AS kind, m.id AS name, toFloat(score) AS score, common
UNION ALL
MATCH (n:Node {id: $id})
CALL db.index.vector.queryNodes('embedding_Node', CASE WHEN $k + 1 > 100 THEN $k + 1 ELSE 100 END, n.embedding) YIELD node AS m
WITH n, m, 2 * vector.similarity.cosine(n.embedding, m.embedding) - 1 AS score
WHERE m <> n
WITH m, score ORDER BY score DESC, m.id LIMIT $k
RETURN 'embedding' AS kind, m.id AS name, toFloat(score) AS score, 0 AS common
