"""The notebook names a Julia kernel (it was opened in another environment)."""
EXPECT = "full"


def submission(kit):
    nb = kit.copy()
    nb.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia 1.9", "language": "julia"}
    return nb
