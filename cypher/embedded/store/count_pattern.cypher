// How many relationships of one type lead from nodes of one label to nodes of another (store.clear).
// params: none
MATCH (:{{source}})-[r:{{type}}]->(:{{target}}) RETURN count(*) AS n
