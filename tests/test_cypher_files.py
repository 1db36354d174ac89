"""The cypher/ folder: the same queries in both dialects (each store's own write mechanics apart, in
`<dialect>/store/`), declared parameters, Neo4j's own parser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from graphvec import cypher
from graphvec.errors import GraphvecError

from .conftest import REPO

EMBEDDED = sorted(p.name for p in (REPO / "cypher" / "embedded").glob("*.cypher"))
NEO4J = sorted(p.name for p in (REPO / "cypher" / "neo4j").glob("*.cypher"))
NEO4J_ALL = sorted((REPO / "cypher" / "neo4j").rglob("*.cypher"))


def lint(paths):
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "@neo4j-cypher" / "language-support").exists():
        pytest.fail("Node and @neo4j-cypher/language-support are required: run 'make test', which installs them")
    out = subprocess.run([node, str(REPO / "tools" / "lint_cypher.mjs"), *map(str, paths)], capture_output=True,
                         text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def test_both_dialects_have_the_same_files():
    assert EMBEDDED == NEO4J and len(NEO4J) >= 20


@pytest.mark.parametrize("dialect", cypher.DIALECTS)
def test_every_file_says_what_it_answers_and_declares_its_parameters(dialect):
    root = REPO / "cypher" / dialect
    for path in sorted(root.rglob("*.cypher")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("//"), f"{path.name} must start with a comment saying what it answers"
        declared = set(cypher.load(dialect, path.relative_to(root).with_suffix("").as_posix()).params)
        body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//"))
        used = set(re.findall(r"\$(\w+)", body))
        assert used == declared, f"{dialect}/{path.name}: uses {sorted(used)}, declares {sorted(declared)}"


def test_every_neo4j_query_passes_neo4js_parser():
    results = lint(NEO4J_ALL)
    assert len(results) == len(NEO4J_ALL) > len(NEO4J)
    problems = {file: diags for file, diags in results.items() if diags}
    assert problems == {}


def test_the_linter_does_reject_bad_cypher(tmp_path):
    """Negative control: without it, a linter that silently accepted everything would pass."""
    broken = tmp_path / "broken.cypher"
    broken.write_text("// params: rows\nUNWIND $rows AS row MERGE (d:Document {id: row.id) SET\n", encoding="utf-8")
    undeclared = tmp_path / "undeclared.cypher"
    undeclared.write_text("// params: none\nMATCH (n) WHERE n.id = $id RETURN n\n", encoding="utf-8")
    results = lint([broken, undeclared])
    assert results[str(broken)] and results[str(undeclared)]


def test_table_definitions_carry_types_and_literal_defaults_and_refuse_anything_else():
    columns = [{"name": "name", "type": "STRING"}, {"name": "extra", "type": "STRUCT(source STRING, score DOUBLE)"},
               {"name": "note", "type": "STRING", "default_value": "'unreviewed'"}, {"name": "v", "type": "FLOAT[8]"}]
    text = cypher.table_definition(columns, primary_key="name", pairs=[("A", "B")]).text
    assert text == ("FROM `A` TO `B`, `name` STRING, `extra` STRUCT(source STRING, score DOUBLE), "
                    "`note` STRING DEFAULT 'unreviewed', `v` FLOAT[8], PRIMARY KEY(`name`)")
    assert cypher.load("embedded", "store/create_node_table").render(
        table="X", definition=cypher.table_definition(columns[:1], primary_key="name")).endswith("CREATE NODE TABLE `X`(`name` STRING, PRIMARY KEY(`name`))")
    for bad in ({"name": "x", "type": "STRING); DROP TABLE Label; //"}, {"name": "x", "type": "INT64", "default_value": "now()"},
                {"name": "x", "type": "STRING", "default_value": "'a' + 'b'"}, {"name": "x`y", "type": "STRING"}):
        with pytest.raises(GraphvecError):
            cypher.table_definition([bad])
