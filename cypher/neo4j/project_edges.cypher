// Projection: every relationship of one type as pairs of internal node ids, unweighted, one row
// per source node with the list of its targets: the driver's cost is per record (90k edges took
// 2.8 s as 90k rows), so grouping by source sends degree-times fewer records.
// params: none
MATCH (a)-[r:{{rel_type}}]->(b)
WITH a, collect(elementId(b)) AS dst
RETURN elementId(a) AS src, dst
