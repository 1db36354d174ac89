// Every generic node with its class labels.
// params: none
MATCH (n:Node) RETURN n.id AS id, n.classes AS classes
