"""Course tooling for learn-gpt2: build submissions, drive nbgrader, read the gradebook.

Nothing in the reference package ``gpt2`` imports this; this imports nbgrader freely.
"""
import sys

# jsonschema (under nbformat, so under nbgrader) imports its optional IRI checker rfc3987_syntax when
# installed (jupyter-events installs it), and that builds a parser for about 2 s in every process:
# each nbgrader run, each kernel that saves a learner's parts. Nothing here validates IRIs, and
# without it jsonschema skips that one format. Processes that import coursetools first are spared.
sys.modules.setdefault("rfc3987_syntax", None)
