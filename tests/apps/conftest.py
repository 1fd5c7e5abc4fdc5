import torch
from threadpoolctl import threadpool_limits

# Tiny models and arrays: one thread is many times faster on a shared machine.
torch.set_num_threads(1)
threadpool_limits(1)
