# cell: p15-dataset
# expect: that is the path itself
def load_token_ids(source, tokenizer):
    return torch.tensor(tokenizer.encode(str(source)), dtype=torch.long)


def split_windows(ids, block_size, val_fraction=0.1):
    n_train = round(len(ids) * (1 - val_fraction))
    train, val = ids[:n_train], ids[n_train:]
    return (train[: len(train) // block_size * block_size].view(-1, block_size),
            val[: len(val) // block_size * block_size].view(-1, block_size))
