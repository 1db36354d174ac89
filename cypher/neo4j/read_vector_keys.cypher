// For one label: the key of every node that carries a vector (what 'update' need not give one).
// params: none
MATCH (n:{{label}}) WHERE n.embedding_run IS NOT NULL
RETURN n.{{key}} AS key
