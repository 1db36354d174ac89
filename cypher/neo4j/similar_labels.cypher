// Labels nearest to a label by embedding (the label vector index, cosine), with how many
// documents each shares with it (co-occurrence count) and its document frequency. Neo4j scores
// cosine as (1 + cos) / 2; the query turns it back into the cosine.
// params: name, k
MATCH (l:Label {name: $name})
CALL db.index.vector.queryNodes('embedding_Label', $k + 1, l.embedding) YIELD node AS m, score
WITH l, m, 2 * score - 1 AS score
WHERE m <> l
ORDER BY score DESC, m.name
LIMIT $k
OPTIONAL MATCH (l)-[c:CO_OCCURS]-(m)
RETURN m.name AS name, score, coalesce(c.count, 0) AS cooccurrence, m.df AS df
ORDER BY score DESC, name
