// One node's vector and context vector, if it has them (looked up by its key, the table's index).
// params: key
MATCH (n:{{label}} {{{key}}: $key}) WHERE n.embedding IS NOT NULL
RETURN n.embedding AS embedding, n.context_embedding AS context, n.embedding_run AS run
