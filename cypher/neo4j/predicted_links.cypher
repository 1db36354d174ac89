// The most similar pairs of labels that never co-occur: candidate new CO_OCCURS edges, read from
// the SIMILAR relationships (each pair once, with the higher of its two scores), between labels
// seen in at least $min_df documents (rarer ones sit next to anything: README "Rare labels").
// params: k, min_df
MATCH (a:Label)-[s:SIMILAR]->(b:Label)
WHERE a.df >= $min_df AND b.df >= $min_df AND NOT (a)-[:CO_OCCURS]-(b)
WITH CASE WHEN a.name < b.name THEN a.name ELSE b.name END AS source,
     CASE WHEN a.name < b.name THEN b.name ELSE a.name END AS target, s.score AS score
WITH source, target, max(score) AS score
RETURN source, target, score
ORDER BY score DESC, source, target
LIMIT $k
