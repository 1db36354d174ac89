// The k-th best PREDICTED score towards a label: the threshold recommend_documents_predicted.cypher
// takes. Read from the label's relationships alone, without reading a document: at 1M documents a
// popular label had 36k of them, and ranking them all by score and id took 67 ms warm, the two
// steps 14 ms.
// params: name, k
MATCH (l:Label {name: $name})<-[p:PREDICTED]-(:Document)
RETURN p.score AS score
ORDER BY score DESC
LIMIT $k
