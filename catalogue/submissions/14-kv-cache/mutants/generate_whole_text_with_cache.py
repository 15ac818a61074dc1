# cell: p14-generate
# expect: use_cache=True
@torch.no_grad()
def generate(model, input_ids, max_new_tokens, use_cache=True):
    n_positions = model.config.n_positions
    ids, past = input_ids, None
    for _ in range(max_new_tokens):
        if not use_cache or ids.shape[1] > n_positions:
            logits, past = model(ids[:, -n_positions:]), None
        else:
            logits, past = model(ids, past_key_values=past, use_cache=True)
        ids = torch.cat([ids, logits[:, -1, :].argmax(dim=-1, keepdim=True)], dim=1)
    return ids
