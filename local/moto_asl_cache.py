"""Parse each Step Functions definition once in moto, not on every execution.

moto's Step Functions engine runs the real ASL (that is the point of using it), but it parses the
definition with ANTLR again for every `CreateStateMachine` and every execution: about 0.4 s each on a
CI core, paid by every test that submits a registration. The parse tree of a definition never changes,
so it is kept per definition text; each execution still gets fresh evaluation components from it (the
preprocessing step, ~40 ms), so no state is shared between executions. A definition that fails to parse
is not cached and fails the same way every time.
"""

from __future__ import annotations

import threading
from typing import Any

_trees: dict[str, Any] = {}
_lock = threading.Lock()
_patched = False


def cache_asl_parse_trees() -> None:
    global _patched
    if _patched:
        return
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    original = AmazonStateLanguageParser.parse

    def parse(definition: str) -> tuple[Any, Any]:
        tree = _trees.get(definition)
        if tree is None:
            program, tree = original(definition)
            with _lock:
                _trees[definition] = tree
            return program, tree
        return Preprocessor().visit(tree), tree

    AmazonStateLanguageParser.parse = staticmethod(parse)
    _patched = True
