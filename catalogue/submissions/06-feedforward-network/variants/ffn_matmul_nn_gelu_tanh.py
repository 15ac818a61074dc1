# cell: p06-feedforward
class FeedForward(nn.Module):
    """Explicit matmuls (x W^T + b) and nn.GELU(approximate="tanh")."""

    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        hidden = self.act(x @ self.c_fc.weight.T + self.c_fc.bias)
        return self.dropout(hidden @ self.c_proj.weight.T + self.c_proj.bias)
