// For a generic graph: the most similar pairs of nodes not linked yet (candidate new LINK edges),
// read from the SIMILAR relationships, each pair once.
// params: k
MATCH (a:Node)-[s:SIMILAR]->(b:Node)
WHERE NOT (a)-[:LINK]-(b)
WITH CASE WHEN a.id < b.id THEN a.id ELSE b.id END AS source,
     CASE WHEN a.id < b.id THEN b.id ELSE a.id END AS target, s.score AS score
WITH source, target, max(score) AS score
RETURN source, target, score
ORDER BY score DESC, source, target
LIMIT $k
