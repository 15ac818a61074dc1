# cell: p06-feedforward
class FeedForward(nn.Module):
    """F.linear with the modules' weights, PyTorch's tanh GELU, functional dropout."""

    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        h = F.linear(x, self.c_fc.weight, self.c_fc.bias)
        h = F.gelu(h, approximate="tanh")
        out = F.linear(h, self.c_proj.weight, self.c_proj.bias)
        return F.dropout(out, p=self.dropout.p, training=self.training)
