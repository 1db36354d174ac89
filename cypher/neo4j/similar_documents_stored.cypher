// Documents nearest to a document as the latest run stored them: its SIMILAR relationships (each
// document's top-k by cosine, written by 'graphvec embed'), with the labels each has.
// params: id, k
MATCH (v:Document {id: $id})-[s:SIMILAR]->(d:Document)
WITH d, s.score AS score
ORDER BY score DESC, d.id
LIMIT $k
OPTIONAL MATCH (d)-[:HAS_LABEL]->(o:Label)
WITH d, score, o ORDER BY o.name
RETURN d.id AS id, d.title AS title, score, collect(o.name) AS labels
ORDER BY score DESC, id
