// Labels nearest to a label by embedding (exact cosine over every label vector), with how many
// documents each shares with it (co-occurrence count) and its document frequency; only labels seen
// in at least $min_df documents (rarer ones sit next to anything: README "Rare labels").
// params: name, k, min_df
MATCH (l:Label {name: $name}) WHERE l.embedding IS NOT NULL
MATCH (m:Label) WHERE m.name <> $name AND m.df >= $min_df AND m.embedding IS NOT NULL
WITH l, m, array_cosine_similarity(l.embedding, m.embedding) AS score
ORDER BY score DESC, m.name
LIMIT $k
OPTIONAL MATCH (l)-[c:CO_OCCURS]-(m)
RETURN m.name AS name, score, coalesce(c.count, 0) AS cooccurrence, m.df AS df
ORDER BY score DESC, name
