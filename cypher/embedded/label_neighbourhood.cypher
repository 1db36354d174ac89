// For one label, what the graph says and what the embedding says, one row per neighbour:
// kind 'co-occurrence' (top-k by shared documents, score = count) and kind 'embedding'
// (top-k by cosine); a neighbour listed by both shows what the embedding confirms.
// params: name, k
MATCH (l:Label {name: $name})-[c:CO_OCCURS]-(m:Label)
WITH m, c.count AS score ORDER BY score DESC, m.name LIMIT $k
RETURN 'co-occurrence' AS kind, m.name AS name, CAST(score AS DOUBLE) AS score, m.df AS df
UNION ALL
MATCH (v:LabelEmbedding {key: $name}), (w:LabelEmbedding)
WHERE w.key <> $name
WITH w, array_cosine_similarity(v.embedding, w.embedding) AS score
ORDER BY score DESC, w.key LIMIT $k
MATCH (m:Label {name: w.key})
RETURN 'embedding' AS kind, m.name AS name, CAST(score AS DOUBLE) AS score, m.df AS df
