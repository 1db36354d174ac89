// For one label, what the graph says and what the embedding says, one row per neighbour:
// kind 'co-occurrence' (top-k by shared documents, score = count) and kind 'embedding'
// (top-k by cosine); a neighbour listed by both shows what the embedding confirms. Both lists keep
// labels seen in at least $min_df documents.
// params: name, k, min_df
MATCH (l:Label {name: $name})-[c:CO_OCCURS]-(m:Label)
WHERE m.df >= $min_df
WITH m, c.count AS score ORDER BY score DESC, m.name LIMIT $k
RETURN 'co-occurrence' AS kind, m.name AS name, CAST(score AS DOUBLE) AS score, m.df AS df
UNION ALL
MATCH (l:Label {name: $name}), (m:Label)
WHERE m.name <> $name AND m.df >= $min_df AND l.embedding IS NOT NULL AND m.embedding IS NOT NULL
WITH m, array_cosine_similarity(l.embedding, m.embedding) AS score
ORDER BY score DESC, m.name LIMIT $k
RETURN 'embedding' AS kind, m.name AS name, CAST(score AS DOUBLE) AS score, m.df AS df
