// Every run record, newest first.
// params: none
MATCH (r:EmbeddingRun)
RETURN r.id AS id, r.created_at AS created_at, r.method AS method, r.parameters AS parameters, r.nodes AS nodes,
       r.dimensions AS dimensions, r.graph_fingerprint AS graph_fingerprint, r.seconds AS seconds, r.status AS status,
       r.labels AS labels
ORDER BY created_at DESC
