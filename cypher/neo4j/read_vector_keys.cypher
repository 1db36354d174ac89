// For one label: the key of every node that carries a vector, and the run that wrote it (what
// 'update' need not give one, and what an interrupted update had already written).
// params: none
MATCH (n:{{label}}) WHERE n.embedding_run IS NOT NULL
RETURN n.{{key}} AS key, n.embedding_run AS run
