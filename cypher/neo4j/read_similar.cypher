// Every SIMILAR relationship between nodes of one label, as key pairs with their score and the run that wrote it.
// params: none
MATCH (a:{{label}})-[s:SIMILAR]->(b:{{label}})
RETURN a.{{key}} AS a, b.{{key}} AS b, s.score AS score, s.run AS run
