// How many nodes of each label and relationships of each type the store holds.
// params: none
MATCH (n) UNWIND labels(n) AS kind RETURN kind, count(*) AS n
UNION ALL
MATCH ()-[r]->() RETURN type(r) AS kind, count(*) AS n
