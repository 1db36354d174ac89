// Projection: every relationship of one type as a pair of internal node ids with its weight.
// params: none
MATCH (a)-[r:{{rel_type}}]->(b) RETURN id(a) AS src, id(b) AS dst, r.{{weight}} AS weight
