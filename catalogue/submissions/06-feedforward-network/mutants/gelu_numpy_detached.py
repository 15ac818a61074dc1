# cell: p06-new-gelu
# expect: no gradient flows through NewGELU
import numpy as np


class NewGELU(nn.Module):
    def forward(self, x):
        a = x.detach().cpu().numpy()
        y = 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))
        return torch.as_tensor(y, dtype=x.dtype, device=x.device)
