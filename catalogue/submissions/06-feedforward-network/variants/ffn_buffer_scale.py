# cell: p06-feedforward
class FeedForward(nn.Module):
    """Keeps its dropout keep-scale in a non-persistent buffer (not in the state dict) and uses F.dropout."""

    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("p", torch.tensor(float(dropout)), persistent=False)

    def forward(self, x):
        hidden = self.act(self.c_fc(x))
        return F.dropout(self.c_proj(hidden), p=float(self.p), training=self.training)
