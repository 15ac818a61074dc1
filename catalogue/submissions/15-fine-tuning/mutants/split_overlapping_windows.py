# cell: p15-dataset
# expect: overlap
def load_token_ids(source, tokenizer):
    if isinstance(source, os.PathLike) or (source.endswith(".txt") and os.path.isfile(source)):
        source = Path(source).read_text(encoding="utf-8")
    return torch.tensor(tokenizer.encode(source), dtype=torch.long)


def split_windows(ids, block_size, val_fraction=0.1):
    n_train = round(len(ids) * (1 - val_fraction))
    train = ids[:n_train].unfold(0, block_size, 1)   # every starting position: more windows
    val = ids[n_train:].unfold(0, block_size, 1)
    return train, val
