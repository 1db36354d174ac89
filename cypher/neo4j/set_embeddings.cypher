// Writes vectors onto existing nodes; rows: {key, embedding, context, run}.
// params: rows
UNWIND $rows AS row
MATCH (n:{{label}} {{{key}}: row.key})
SET n.embedding = row.embedding, n.context_embedding = row.context, n.embedding_run = row.run
