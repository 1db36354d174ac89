// Tables for (:Document)-[:HAS_LABEL]->(:Label) and (:Label)-[:CO_OCCURS {count, npmi}]->(:Label).
// params: none
CREATE NODE TABLE IF NOT EXISTS Document(id STRING PRIMARY KEY, title STRING);
CREATE NODE TABLE IF NOT EXISTS Label(name STRING PRIMARY KEY, df INT64);
CREATE REL TABLE IF NOT EXISTS HAS_LABEL(FROM Document TO Label);
CREATE REL TABLE IF NOT EXISTS CO_OCCURS(FROM Label TO Label, count INT64, npmi DOUBLE);
