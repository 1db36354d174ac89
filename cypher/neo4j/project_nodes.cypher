// Projection: the nodes of one label, with the store's internal id and the node's key property,
// in rows of up to 10,000 nodes each (lists), since the driver's cost is per record.
// Placeholders {{label}} and {{key}} are filled with validated, backtick-quoted names.
// params: none
MATCH (n:{{label}})
WITH collect(n) AS nodes
UNWIND range(0, size(nodes) - 1, 10000) AS start
WITH nodes[start..start + 10000] AS chunk
RETURN [x IN chunk | elementId(x)] AS nid, [x IN chunk | x.{{key}}] AS key
