// A cosine vector index on one label's embedding property, created after the vectors are written.
// Neo4j fills a new index in the background; waiting for it here means the first query after
// 'graphvec embed' finds it online instead of failing.
// params: none
CREATE VECTOR INDEX {{index_name}} IF NOT EXISTS FOR (n:{{label}}) ON n.embedding
OPTIONS {indexConfig: {`vector.dimensions`: {{dimensions}}, `vector.similarity_function`: 'cosine'}};
CALL db.awaitIndex('{{index_name}}', 600);
