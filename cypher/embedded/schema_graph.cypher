// Tables for a generic graph: (:Node {id, classes})-[:LINK {weight}]->(:Node).
// params: none
CREATE NODE TABLE IF NOT EXISTS Node(id STRING PRIMARY KEY, classes STRING[]);
CREATE REL TABLE IF NOT EXISTS LINK(FROM Node TO Node, weight DOUBLE);
