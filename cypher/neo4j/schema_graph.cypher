// Uniqueness constraint for generic graph nodes, created before any write so MERGE uses it.
// params: none
CREATE CONSTRAINT graphvec_node_id IF NOT EXISTS FOR (n:Node) REQUIRE n.id IS UNIQUE;
