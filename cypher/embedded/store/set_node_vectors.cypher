// Sets the vectors of a few existing nodes in place (an update adding a few vectors, where a
// table rebuild would cost more); rows: {key, embedding, context, run}, key typed like the nodes'.
// params: rows
LOAD FROM $rows
MATCH (n:{{label}}) WHERE n.{{key}} = key
SET n.embedding = embedding, n.context_embedding = context, n.embedding_run = run
