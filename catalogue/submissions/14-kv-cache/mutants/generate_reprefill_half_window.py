# cell: p14-generate
# expect: the cache serves the steps
@torch.no_grad()
def generate(model, input_ids, max_new_tokens, use_cache=True):
    n_positions = model.config.n_positions
    ids, past = input_ids, None
    for _ in range(max_new_tokens):
        if not use_cache:
            logits = model(ids[:, -n_positions:])
        elif past is None or ids.shape[1] > n_positions and past_length >= n_positions:
            window = ids[:, -(n_positions // 2):] if ids.shape[1] > n_positions else ids
            logits, past = model(window, use_cache=True)   # keep half the context, refill the cache
            past_length = window.shape[1]
        else:
            logits, past = model(ids[:, -1:], past_key_values=past, use_cache=True)
            past_length += 1
        ids = torch.cat([ids, logits[:, -1, :].argmax(dim=-1, keepdim=True)], dim=1)
    return ids
