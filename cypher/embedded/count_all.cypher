// How many nodes of each label and relationships of each type the store holds.
// params: none
MATCH (n) RETURN label(n) AS kind, count(*) AS n
UNION ALL
MATCH ()-[r]->() RETURN label(r) AS kind, count(*) AS n
