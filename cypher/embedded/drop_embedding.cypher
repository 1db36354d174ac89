// Removes the vector columns of one node table (before vectors of another dimension are written).
// params: none
ALTER TABLE {{label}} DROP IF EXISTS embedding;
ALTER TABLE {{label}} DROP IF EXISTS context_embedding;
ALTER TABLE {{label}} DROP IF EXISTS embedding_run;
