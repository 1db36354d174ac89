// Labels nearest to a label by embedding (the label vector index, cosine), with how many
// documents each shares with it (co-occurrence count) and its document frequency. The index is
// approximate twice over: HNSW uses k as its search width (asked for the 5 nearest of
// near-collinear vectors it missed the true ones, asked for 100 it found them), and Neo4j 5.26
// scores quantised vectors by default (a node scored 0.994 against itself). So the index only
// proposes at least 100 candidates, and each is rescored exactly; Neo4j's cosine is (1 + cos) / 2,
// turned back into the cosine. Only labels seen in at least $min_df documents are listed (rarer ones
// sit next to anything: README "Rare labels"), so the index proposes 4(k + 1) candidates, at least 100.
// params: name, k, min_df
MATCH (l:Label {name: $name})
CALL db.index.vector.queryNodes('embedding_Label', CASE WHEN 4 * ($k + 1) > 100 THEN 4 * ($k + 1) ELSE 100 END, l.embedding) YIELD node AS m
WITH l, m, 2 * vector.similarity.cosine(l.embedding, m.embedding) - 1 AS score
WHERE m <> l AND m.df >= $min_df
ORDER BY score DESC, m.name
LIMIT $k
OPTIONAL MATCH (l)-[c:CO_OCCURS]-(m)
RETURN m.name AS name, score, coalesce(c.count, 0) AS cooccurrence, m.df AS df
ORDER BY score DESC, name
