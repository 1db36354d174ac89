// Projection: every relationship of one type as a pair of internal node ids, unweighted.
// params: none
MATCH (a)-[r:{{rel_type}}]->(b) RETURN id(a) AS src, id(b) AS dst
