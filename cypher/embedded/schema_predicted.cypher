// The PREDICTED relationship table: recommended labels of each document.
// params: none
CREATE REL TABLE IF NOT EXISTS PREDICTED(FROM Document TO Label, score DOUBLE, rank INT64, run STRING);
