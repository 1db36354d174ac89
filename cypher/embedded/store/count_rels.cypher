// How many relationships one relationship table holds (see count_nodes).
// params: none
MATCH ()-[r:{{table}}]->() RETURN count(*) AS n
