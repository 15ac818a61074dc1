"""The notebook's metadata has no kernelspec and no language_info at all."""
EXPECT = "full"


def submission(kit):
    nb = kit.copy()
    nb.metadata.pop("kernelspec", None)
    nb.metadata.pop("language_info", None)
    return nb
