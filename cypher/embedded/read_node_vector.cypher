// One node's vector and context vector, if it has them.
// params: key
MATCH (v:{{vectors}} {key: $key})
RETURN v.embedding AS embedding, v.context_embedding AS context, v.run AS run
