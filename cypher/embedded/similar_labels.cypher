// Labels nearest to a label by embedding (exact cosine over every label vector), with how many
// documents each shares with it (co-occurrence count) and its document frequency.
// params: name, k
MATCH (l:Label {name: $name}), (v:LabelEmbedding {key: $name})
MATCH (w:LabelEmbedding) WHERE w.key <> $name
WITH l, w, array_cosine_similarity(v.embedding, w.embedding) AS score
ORDER BY score DESC, w.key
LIMIT $k
MATCH (m:Label {name: w.key})
OPTIONAL MATCH (l)-[c:CO_OCCURS]-(m)
RETURN m.name AS name, score, coalesce(c.count, 0) AS cooccurrence, m.df AS df
ORDER BY score DESC, name
