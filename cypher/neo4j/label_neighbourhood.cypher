// For one label, what the graph says and what the embedding says, one row per neighbour:
// kind 'co-occurrence' (top-k by shared documents, score = count) and kind 'embedding'
// (top-k by cosine, from the label vector index); a neighbour listed by both shows what the
// embedding confirms. Both lists keep labels seen in at least $min_df documents.
// params: name, k, min_df
MATCH (l:Label {name: $name})-[c:CO_OCCURS]-(m:Label)
WHERE m.df >= $min_df
WITH m, c.count AS score ORDER BY score DESC, m.name LIMIT $k
RETURN 'co-occurrence' AS kind, m.name AS name, toFloat(score) AS score, m.df AS df
UNION ALL
MATCH (l:Label {name: $name})
CALL db.index.vector.queryNodes('embedding_Label', CASE WHEN 4 * ($k + 1) > 100 THEN 4 * ($k + 1) ELSE 100 END, l.embedding) YIELD node AS m
WITH l, m, 2 * vector.similarity.cosine(l.embedding, m.embedding) - 1 AS score
WHERE m <> l AND m.df >= $min_df
WITH m, score ORDER BY score DESC, m.name LIMIT $k
RETURN 'embedding' AS kind, m.name AS name, toFloat(score) AS score, m.df AS df
