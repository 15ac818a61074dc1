# cell: p06-feedforward
# expect: they should be scaled by 1/(1-p)
class FeedForward(nn.Module):
    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        out = self.c_proj(self.act(self.c_fc(x)))
        if self.training:
            out = out * (torch.rand_like(out) >= self.dropout.p)  # zero each element with probability p
        return out
