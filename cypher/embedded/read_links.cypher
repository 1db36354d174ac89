// Every generic edge with its weight.
// params: none
MATCH (a:Node)-[r:LINK]->(b:Node) RETURN a.id AS src, b.id AS dst, r.weight AS weight
