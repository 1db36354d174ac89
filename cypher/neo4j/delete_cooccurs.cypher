// Removes co-occurrence relationships that no longer hold; rows: {a, b}.
// params: rows
UNWIND $rows AS row
MATCH (:Label {name: row.a})-[r:CO_OCCURS]->(:Label {name: row.b})
DELETE r
