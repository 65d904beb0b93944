package dev.fineturn.cuda;

import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.HostStorage;
import dev.fineturn.spi.Storage;

import java.util.ArrayList;
import java.util.List;

/** A launcher without a device: records the launches the kernel families plan. */
final class RecordingLauncher implements CudaLauncher {
    final List<KernelLaunch> launches = new ArrayList<>();
    final List<Long> scratchRequests = new ArrayList<>();
    final List<Long> allocations = new ArrayList<>();

    @Override
    public void launch(KernelLaunch launch) {
        launches.add(launch);
    }

    @Override
    public Storage scratch(long length) {
        scratchRequests.add(length);
        return storage(length);
    }

    @Override
    public Storage allocate(long length) {
        allocations.add(length);
        return storage(length);
    }

    static Storage storage(long length) {
        return HostStorage.allocate(ReferenceBackend.get(), length);
    }

    KernelLaunch only() {
        if (launches.size() != 1) {
            throw new AssertionError("expected one launch, got " + launches);
        }
        return launches.get(0);
    }

    List<String> kernels() {
        return launches.stream().map(KernelLaunch::kernel).toList();
    }
}
