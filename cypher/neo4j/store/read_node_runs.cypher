// For one label: each node's key and the run that wrote its vector (to resume an interrupted write).
// params: none
MATCH (n:{{label}}) RETURN n.{{key}} AS key, n.embedding_run AS run
