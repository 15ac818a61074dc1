# cell: p02-simple-attention
class SimpleAttention(nn.Module):
    """One fused matrix multiply for q, k and v, using the three layers' parameters."""

    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        layers = (self.q_proj, self.k_proj, self.v_proj)
        weight = torch.cat([layer.weight for layer in layers], dim=0)
        bias = torch.cat([layer.bias for layer in layers], dim=0)
        q, k, v = F.linear(x, weight, bias).chunk(3, dim=-1)
        weights = F.softmax(q @ k.transpose(1, 2), dim=-1)
        return weights @ v, weights
