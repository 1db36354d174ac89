// Creates or updates a run record; rows: {id, created_at, method, parameters, nodes, dimensions, graph_fingerprint, seconds, status, labels}.
// params: rows
LOAD FROM $rows
MERGE (r:EmbeddingRun {id: id})
SET r.created_at = created_at, r.method = method, r.parameters = parameters, r.nodes = nodes,
    r.dimensions = dimensions, r.graph_fingerprint = graph_fingerprint, r.seconds = seconds,
    r.status = status, r.labels = labels
