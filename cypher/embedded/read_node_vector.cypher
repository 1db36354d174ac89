// One node's vector and context vector, if it has them.
// params: key
MATCH (n:{{label}}) WHERE n.{{key}} = $key AND n.embedding IS NOT NULL
RETURN n.embedding AS embedding, n.context_embedding AS context, n.embedding_run AS run
