// A cosine vector index on one label's embedding property, created after the vectors are written.
// params: none
CREATE VECTOR INDEX {{index_name}} IF NOT EXISTS FOR (n:{{label}}) ON n.embedding
OPTIONS {indexConfig: {`vector.dimensions`: {{dimensions}}, `vector.similarity_function`: 'cosine'}}
