// Whether a node with this key exists.
// params: key
MATCH (n:{{label}} {{{key}}: $key}) RETURN n.{{key}} AS key LIMIT 1
