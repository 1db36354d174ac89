// Removes co-occurrence relationships that no longer hold; rows: {a, b}.
// params: rows
LOAD FROM $rows MATCH (x:Label {name: a})-[r:CO_OCCURS]->(y:Label {name: b}) DELETE r
