# cell: p06-new-gelu
# expect: that is ReLU, not GELU
# expect: ReLU instead of GELU
class NewGELU(nn.Module):
    def forward(self, x):
        return torch.relu(x)
