# cell: p06-feedforward
class FeedForward(nn.Module):
    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        # flatten the leading dimensions, then restore them; dropout by hand with rescaling
        flat = x.reshape(-1, x.shape[-1])
        out = self.c_proj(self.act(self.c_fc(flat))).reshape(*x.shape[:-1], -1)
        p = self.dropout.p
        if self.training and p > 0:
            keep = torch.rand_like(out) >= p
            out = torch.where(keep, out / (1 - p), torch.zeros_like(out))
        return out
