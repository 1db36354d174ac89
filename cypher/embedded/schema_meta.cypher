// Creates the key/value table graphvec keeps its own state in (store version, write state, settings).
// params: none
CREATE NODE TABLE IF NOT EXISTS GraphvecMeta(key STRING PRIMARY KEY, value STRING);
