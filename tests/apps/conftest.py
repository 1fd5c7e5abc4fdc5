import torch

torch.set_num_threads(1)  # tiny models: one thread is many times faster on a shared machine
