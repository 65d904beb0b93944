"""PyTorch on the same GPU as fineturn's CUDA run: torch.mm fp32 4096 (TF32 off) and a ResNet-18
(10 classes) SGD-momentum step at 224x224, batch 64, full fine-tune and head-only; prints RESULT lines."""
import time
import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda")


def timed(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / reps


n = 4096
a = torch.randn(n, n, device=dev)
b = torch.randn(n, n, device=dev)
s = timed(lambda: torch.mm(a, b), 5, 20)
print(f"RESULT torch-mm n={n} {2 * n ** 3 / s / 1e12:.1f} TFLOP/s")

try:
    import torchvision
    model = torchvision.models.resnet18(num_classes=10).to(dev)
except ImportError:
    model = None
    print("RESULT torchvision missing: no ResNet-18 figures")
if model is not None:
    x = torch.randn(64, 3, 224, 224, device=dev)
    y = torch.arange(64, device=dev) % 10
    for mode in ("full", "head"):
        for p in model.parameters():
            p.requires_grad = mode == "full"
        for p in model.fc.parameters():
            p.requires_grad = True
        model.train()
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-3, momentum=0.9)

        def step():
            opt.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

        s = timed(step, 5, 20)
        print(f"RESULT torch-resnet18 mode={mode} size=224 batch=64 {64 / s:.0f} img/s")
