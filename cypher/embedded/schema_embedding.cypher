// Adds the vector columns to one node table: embedding and context_embedding as fixed-size FLOAT arrays
// (array_cosine_similarity needs fixed size), and the id of the run that wrote them.
// params: none
ALTER TABLE {{label}} ADD IF NOT EXISTS embedding FLOAT[{{dimensions}}];
ALTER TABLE {{label}} ADD IF NOT EXISTS context_embedding FLOAT[{{dimensions}}];
ALTER TABLE {{label}} ADD IF NOT EXISTS embedding_run STRING;
