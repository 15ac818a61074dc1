# cell: p06-feedforward
class FeedForward(nn.Module):
    """The layers chained in an nn.Sequential; the attribute names stay c_fc / act / c_proj / dropout."""

    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)
        self.net = nn.Sequential(self.c_fc, self.act, self.c_proj, self.dropout)

    def forward(self, x):
        return self.net(x)
