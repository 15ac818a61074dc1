# cell: p15-dataset
def load_token_ids(source, tokenizer):
    if not isinstance(source, str) or (source.endswith(".txt") and Path(source).exists()):
        with open(source, encoding="utf-8") as f:
            source = f.read()
    return torch.as_tensor(tokenizer(source)["input_ids"], dtype=torch.int64)


def split_windows(ids, block_size, val_fraction=0.1):
    cut = round(len(ids) * (1 - val_fraction))
    return ids[:cut].unfold(0, block_size, block_size), ids[cut:].unfold(0, block_size, block_size)
