// Creates the key/value nodes graphvec keeps its own state in (store version, write state, settings).
// params: none
CREATE CONSTRAINT graphvec_meta_key IF NOT EXISTS FOR (m:GraphvecMeta) REQUIRE m.key IS UNIQUE;
