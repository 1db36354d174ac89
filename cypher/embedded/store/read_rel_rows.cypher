// Every relationship of one table between one node pair: both ends' keys as `from` and `to`, then
// its properties (graphvec.cypher.return_list over `a`, `r`, `b`), to carry into a rebuilt table.
// params: none
MATCH (a:{{source}})-[r:{{type}}]->(b:{{target}}) RETURN {{columns}}
