// Labels a document does not have yet, best first: the PREDICTED relationships graphvec writes
// after each embedding run, with each label's document frequency.  score = log df(label) + the
// summed input·context products of the document's labels with it (the vectors' PMI estimates),
// + log(1 + count / (300 · the vectors' expected count)) for each of the document's labels seen
// with it, + log(1 + its summed co-occurrence counts); see graphvec/scoring.py.
// params: id, k
MATCH (d:Document {id: $id})-[p:PREDICTED]->(l:Label)
WHERE p.rank <= $k
RETURN l.name AS name, p.score AS score, p.rank AS rank, l.df AS df
ORDER BY rank
