package dev.fineturn.opencl;

import dev.fineturn.spi.Storage;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One kernel launch as the host plans it: the kernel's name in the program, its range, and its
 * arguments in the kernel's parameter order. Arguments are {@link Storage} (a {@code __global}
 * buffer), {@link Integer}, {@link Float}, {@link Long} or {@code int[]} (a struct of ints passed
 * by value: 8 for {@code Dims}, 16 for {@code Geo}).
 */
record ClLaunch(String kernel, ClRange range, List<Object> args) {
    ClLaunch {
        for (Object a : args) {
            if (!(a instanceof Storage || a instanceof Integer || a instanceof Float || a instanceof Long
                    || a instanceof int[] v && (v.length == 8 || v.length == 16))) {
                throw new IllegalArgumentException("opencl: unsupported argument " + a + " for kernel " + kernel);
            }
        }
        args = Collections.unmodifiableList(Arrays.asList(args.toArray()));
    }

    static ClLaunch of(String kernel, ClRange range, Object... args) {
        return new ClLaunch(kernel, range, Arrays.asList(args));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(kernel).append(' ').append(range).append(" (");
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            b.append(i == 0 ? "" : ", ").append(a instanceof int[] v ? Arrays.toString(v)
                    : a instanceof Storage s ? "storage[" + s.length() + "]" : String.valueOf(a));
        }
        return b.append(')').toString();
    }
}
