// Every node of one table with the given columns (graphvec.cypher.return_list over `n`), to
// carry into a rebuilt table.
// params: none
MATCH (n:{{label}}) RETURN {{columns}}
