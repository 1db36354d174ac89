// Labels a document does not have yet, best first: the PREDICTED relationships graphvec writes
// after each embedding run (score = log df(label) + the summed input·context products of the
// document's labels with it; see graphvec/recommend.py), with each label's document frequency.
// params: id, k
MATCH (d:Document {id: $id})-[p:PREDICTED]->(l:Label)
WHERE p.rank <= $k
RETURN l.name AS name, p.score AS score, p.rank AS rank, l.df AS df
ORDER BY rank
