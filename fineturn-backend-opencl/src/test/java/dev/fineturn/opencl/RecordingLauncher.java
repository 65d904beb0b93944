package dev.fineturn.opencl;

import dev.fineturn.reference.ReferenceBackend;
import dev.fineturn.spi.HostStorage;
import dev.fineturn.spi.Storage;

import java.util.ArrayList;
import java.util.List;

/** A launcher without a device: records the launches the kernel families plan. */
final class RecordingLauncher implements ClLauncher {
    final List<ClLaunch> launches = new ArrayList<>();
    final List<Long> scratchRequests = new ArrayList<>();
    final List<Long> allocations = new ArrayList<>();
    private final boolean cpuKernels;

    RecordingLauncher(boolean cpuKernels) {
        this.cpuKernels = cpuKernels;
    }

    @Override
    public void launch(ClLaunch launch) {
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

    @Override
    public boolean cpuKernels() {
        return cpuKernels;
    }

    static Storage storage(long length) {
        return HostStorage.allocate(ReferenceBackend.get(), length);
    }

    ClLaunch only() {
        if (launches.size() != 1) {
            throw new AssertionError("expected one launch, got " + launches);
        }
        return launches.getFirst();
    }

    List<String> kernels() {
        return launches.stream().map(ClLaunch::kernel).toList();
    }
}
