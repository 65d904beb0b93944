package dev.fineturn.cuda;

import dev.fineturn.spi.Storage;

import java.util.List;

/**
 * One kernel launch as the host plans it: the kernel's name in kernels.ptx, its grid and block,
 * and its arguments in the kernel's parameter order. Arguments are {@link Storage} (a device
 * pointer), {@link Integer}, {@link Float}, {@link Long} ({@code long long}) or {@code int[]} (a
 * struct of ints passed by value: 8 for {@code Dims}, 16 for {@code Geo}).
 */
record KernelLaunch(String kernel, LaunchShape shape, List<Object> args) {
    KernelLaunch {
        for (Object a : args) {
            if (!(a instanceof Storage || a instanceof Integer || a instanceof Float || a instanceof Long
                    || a instanceof int[] v && (v.length == 8 || v.length == 16))) {
                throw new IllegalArgumentException("cuda: unsupported argument " + a + " for kernel " + kernel);
            }
        }
        args = java.util.Collections.unmodifiableList(java.util.Arrays.asList(args.toArray()));
    }

    static KernelLaunch of(String kernel, LaunchShape shape, Object... args) {
        return new KernelLaunch(kernel, shape, java.util.Arrays.asList(args));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(kernel).append(" grid ").append(shape.gridX()).append('x')
                .append(shape.gridY()).append('x').append(shape.gridZ()).append(" block ").append(shape.blockX())
                .append('x').append(shape.blockY()).append('x').append(shape.blockZ()).append(" (");
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            b.append(i == 0 ? "" : ", ").append(a instanceof int[] v ? java.util.Arrays.toString(v)
                    : a instanceof Storage s ? "storage[" + s.length() + "]" : String.valueOf(a));
        }
        return b.append(')').toString();
    }
}
