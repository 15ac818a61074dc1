# cell: p15-dataset
# expect: on its own side of the split
def load_token_ids(source, tokenizer):
    if isinstance(source, os.PathLike) or (source.endswith(".txt") and os.path.isfile(source)):
        source = Path(source).read_text(encoding="utf-8")
    return torch.tensor(tokenizer.encode(source), dtype=torch.long)


def split_windows(ids, block_size, val_fraction=0.1):
    # windows over the whole stream first, then the last ones go to validation
    n = len(ids) // block_size
    windows = ids[: n * block_size].view(n, block_size)
    n_train = round(len(ids) * (1 - val_fraction)) // block_size
    return windows[:n_train], windows[n_train:]
