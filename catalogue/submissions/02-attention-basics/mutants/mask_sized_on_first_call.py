# cell: p02-simple-attention
# expect: keeps something from an earlier call
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)
        self.mask = None  # an all-zero additive mask, ready for the causal mask of problem 05

    def forward(self, x):
        T = x.shape[1]
        if self.mask is None:
            self.mask = torch.zeros(T, T, device=x.device)
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = q @ k.transpose(-2, -1) + self.mask[:T, :T]
        weights = F.softmax(scores, dim=-1)
        return weights @ v, weights
