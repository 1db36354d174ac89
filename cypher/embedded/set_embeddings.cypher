// Writes vectors onto existing nodes; rows: {key, embedding, context, run}.
// params: rows
LOAD FROM $rows
MATCH (n:{{label}} {{{key}}: key})
SET n.embedding = embedding, n.context_embedding = context, n.embedding_run = run
