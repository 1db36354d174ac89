// Creates or updates a run record; rows: {id, created_at, method, parameters, nodes, dimensions, graph_fingerprint, seconds, status, labels}.
// params: rows
UNWIND $rows AS row
MERGE (r:EmbeddingRun {id: row.id})
SET r.created_at = row.created_at, r.method = row.method, r.parameters = row.parameters, r.nodes = row.nodes,
    r.dimensions = row.dimensions, r.graph_fingerprint = row.graph_fingerprint, r.seconds = row.seconds,
    r.status = row.status, r.labels = row.labels
