// A fresh table for one label's vectors, keyed like the label's nodes: LadybugDB rewrites array
// properties of existing nodes slowly (~160 µs a row), so vectors live beside the nodes and are
// replaced whole (COPY into {{staging}}, then swap_embedding). Join: (v:LabelEmbedding {key: l.name}).
// params: none
DROP TABLE IF EXISTS {{staging}};
CREATE NODE TABLE {{staging}}(key {{key_type}} PRIMARY KEY, embedding FLOAT[{{dimensions}}], context_embedding FLOAT[{{dimensions}}], run STRING);
