// Lints Cypher files with Neo4j's own parser (@neo4j-cypher/language-support).
// Usage: node tools/lint_cypher.mjs FILE...   Prints one JSON object {file: [diagnostics]}.
// Each file's header line `// params: a, b` declares its parameters; {{placeholder}} identifiers
// are replaced by a sample name before parsing, as the code replaces them by quoted names.
import { readFileSync } from 'node:fs';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const result = {};
for (const file of process.argv.slice(2)) {
  let text = readFileSync(file, 'utf8');
  const match = text.match(/^\/\/\s*params:\s*(.*)$/m);
  const parameters = {};
  if (match && match[1].trim() !== 'none') {
    for (const name of match[1].split(',').map((p) => p.trim().replace(/^\$/, '')).filter(Boolean)) {
      parameters[name] = name === 'rows' ? [] : 'x';
    }
  }
  text = text.replace(/\{\{([a-z_]+)\}\}/g, '`Sample`');
  const { diagnostics } = lintCypherQuery(text, { parameters });
  result[file] = diagnostics.map((d) => ({ severity: d.severity, message: d.message, line: d.range?.start?.line }));
}
console.log(JSON.stringify(result));
