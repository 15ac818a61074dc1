"""Course tooling for learn-gpt2: build submissions, drive nbgrader, read the gradebook.

Nothing in the reference package ``gpt2`` imports this; this imports nbgrader freely.
"""
