// For one label: every node that has a vector, with its key, vector, context vector and run.
// params: none
MATCH (v:{{vectors}})
RETURN v.key AS key, v.embedding AS embedding, v.context_embedding AS context, v.run AS run
