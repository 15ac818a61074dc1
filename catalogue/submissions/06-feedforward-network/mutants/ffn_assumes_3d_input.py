# cell: p06-feedforward
# expect: Do not unpack x.shape into B, T, C
class FeedForward(nn.Module):
    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.shape
        h = self.act(self.c_fc(x.reshape(B * T, C)))
        return self.dropout(self.c_proj(h)).reshape(B, T, C)
