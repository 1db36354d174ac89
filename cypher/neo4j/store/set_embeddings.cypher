// Writes vectors onto existing nodes; rows: {key, embedding, context, run}. Through
// db.create.setNodeVectorProperty, as the Neo4j manual advises: the vectors are stored as float32
// arrays (a plain SET stores float64, twice the size) and checked to be valid vectors.
// params: rows
UNWIND $rows AS row
MATCH (n:{{label}} {{{key}}: row.key})
CALL db.create.setNodeVectorProperty(n, 'embedding', row.embedding)
CALL db.create.setNodeVectorProperty(n, 'context_embedding', row.context)
SET n.embedding_run = row.run
