// For one label: every node that has a vector, with its key, vector, context vector and run.
// params: none
MATCH (n:{{label}}) WHERE n.embedding IS NOT NULL
RETURN n.{{key}} AS key, n.embedding AS embedding, n.context_embedding AS context, n.embedding_run AS run
