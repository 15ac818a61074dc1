# cell: p09-count-parameters
# expect: seems to build a model
def count_parameters(config):
    with torch.device("meta"):  # no memory needed on the meta device
        model = gpt2.GPT2Model(config)
    return sum(p.numel() for p in model.parameters())
