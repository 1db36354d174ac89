// Labels nearest to a label as the latest run stored them: its SIMILAR relationships (each
// label's top-k by cosine, written by 'graphvec embed'), with how many documents each shares with
// it and its df; only labels seen in at least $min_df documents. Answers in milliseconds at any
// size; at most the stored k rows.
// params: name, k, min_df
MATCH (l:Label {name: $name})-[s:SIMILAR]->(m:Label)
WHERE m.df >= $min_df
WITH l, m, s.score AS score
ORDER BY score DESC, m.name
LIMIT $k
OPTIONAL MATCH (l)-[c:CO_OCCURS]-(m)
RETURN m.name AS name, score, coalesce(c.count, 0) AS cooccurrence, m.df AS df
ORDER BY score DESC, name
