// Projection: the nodes of one label, with the store's internal id and the node's key property.
// Placeholders {{label}} and {{key}} are filled with validated, backtick-quoted names.
// params: none
MATCH (n:{{label}}) RETURN elementId(n) AS nid, n.{{key}} AS key
