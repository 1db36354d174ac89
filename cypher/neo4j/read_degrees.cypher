// Each node of one label with its number of graph relationships (graphvec's own SIMILAR and
// PREDICTED not counted), to pick which nodes a plot names.
// params: none
MATCH (n:{{label}})
OPTIONAL MATCH (n)-[r]-()
WHERE NOT type(r) IN ['SIMILAR', 'PREDICTED']
RETURN n.{{key}} AS key, count(r) AS degree
