// Documents that lack a label and should carry it, best first: the documents whose PREDICTED
// relationships (each document's top-k missing labels by graphvec's recommendation score, see
// recommend_labels.cypher) include the label, by that score. $threshold is the k-th best score
// (recommend_documents_threshold.cypher): only documents at or above it are read. Null reads them
// all, for the same answer.
// params: name, k, threshold
MATCH (l:Label {name: $name})<-[p:PREDICTED]-(d:Document)
WHERE p.score >= coalesce($threshold, -1.0e308)
WITH d, p.score AS score
ORDER BY score DESC, d.id
LIMIT $k
OPTIONAL MATCH (d)-[:HAS_LABEL]->(o:Label)
WITH d, score, o ORDER BY o.name
RETURN d.id AS id, d.title AS title, score, collect(o.name) AS labels
ORDER BY score DESC, id
