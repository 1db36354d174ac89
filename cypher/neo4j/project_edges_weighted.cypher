// Projection: every relationship of one type as pairs of internal node ids with its weight, one
// row per source node with the lists of its targets and weights (fewer records; see project_edges).
// params: none
MATCH (a)-[r:{{rel_type}}]->(b)
WITH a, collect(elementId(b)) AS dst, collect(r.{{weight}}) AS weight
RETURN elementId(a) AS src, dst, weight
