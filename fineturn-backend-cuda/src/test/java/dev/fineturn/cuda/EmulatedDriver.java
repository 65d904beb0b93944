package dev.fineturn.cuda;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link CudaDriver} without a GPU: src/test/cuda/cuda_server.cpp runs kernels.cu on the CPU
 * through cuda_emu.h (built with AddressSanitizer, so a kernel that indexes outside its buffer
 * stops the server with a report). Kernels whose PTX has no bar.sync run their threads one after
 * another, the others with a std::thread per CUDA thread. One server serves the whole JVM.
 */
final class EmulatedDriver implements CudaDriver {
    /** The memory the emulated device reports. */
    static final long TOTAL = 8L << 30;
    private static EmulatedDriver shared;

    /** Device memory of the emulator: a buffer id. */
    record Buffer(long id) {
    }

    private final Process process;
    private final OutputStream out;
    private final DataInputStream in;
    private final Path errors;
    private final Set<String> synchronizing = PtxSignatures.synchronizing();
    private long nextId = 1;
    private boolean dead;

    private EmulatedDriver(Path binary) throws IOException {
        errors = Gxx.OUT.resolve("cuda_server.err");
        process = new ProcessBuilder(binary.toString()).redirectError(errors.toFile()).start();
        out = process.getOutputStream();
        in = new DataInputStream(process.getInputStream());
    }

    /** The JVM's emulator, built and started on first use; skips the test when g++ is missing. */
    static synchronized EmulatedDriver shared() throws Exception {
        if (shared == null) {
            shared = new EmulatedDriver(Gxx.build("cuda_server.cpp", "cuda_server", "-fsanitize=address",
                    "-fno-omit-frame-pointer"));
        }
        return shared;
    }

    @Override
    public String deviceName() {
        return "CPU emulation of kernels.cu (cuda_emu.h)";
    }

    private static ByteBuffer request(int op, int size) {
        ByteBuffer b = ByteBuffer.allocate(1 + size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) op);
        return b;
    }

    /** Sends a request and reads its status; throws with the server's message on failure. */
    private void send(ByteBuffer request) {
        if (dead) {
            throw new IllegalStateException("cuda emulator is no longer running; see " + errors);
        }
        try {
            out.write(request.array(), 0, request.position());
            out.flush();
            int status = in.read();
            if (status < 0) {
                throw new EOFException();
            }
            if (status != 0) {
                byte[] m = new byte[readInt()];
                in.readFully(m);
                throw new IllegalStateException("cuda emulator: " + new String(m, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            dead = true;
            throw new IllegalStateException("cuda emulator stopped: " + stderr(), e);
        }
    }

    private String stderr() {
        try {
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            String s = Files.readString(errors);
            return "exit " + (process.isAlive() ? "(running)" : process.exitValue()) + "\n"
                    + (s.length() > 20_000 ? s.substring(0, 20_000) : s);
        } catch (IOException | InterruptedException e) {
            return "(no stderr: " + e + ")";
        }
    }

    private int readInt() throws IOException {
        byte[] b = new byte[4];
        in.readFully(b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private long readLong() throws IOException {
        byte[] b = new byte[8];
        in.readFully(b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Override
    public synchronized Object allocate(long floats) {
        long id = nextId++;
        send(request(1, 16).putLong(id).putLong(Math.max(1, floats)));
        return new Buffer(id);
    }

    @Override
    public Runnable freer(Object handle) {
        long id = ((Buffer) handle).id();
        return () -> {
            synchronized (this) {
                if (!dead) {
                    send(request(2, 8).putLong(id));
                }
            }
        };
    }

    @Override
    public synchronized void copyToDevice(float[] src, int srcOffset, Object dst, long dstOffset, int length) {
        ByteBuffer b = request(3, 20 + 4 * length).putLong(((Buffer) dst).id()).putLong(dstOffset).putInt(length);
        for (int i = 0; i < length; i++) {
            b.putFloat(src[srcOffset + i]);
        }
        send(b);
    }

    @Override
    public synchronized void copyToHost(Object src, long srcOffset, float[] dst, int dstOffset, int length) {
        send(request(4, 20).putLong(((Buffer) src).id()).putLong(srcOffset).putInt(length));
        try {
            byte[] bytes = new byte[4 * length];
            in.readFully(bytes);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, dstOffset, length);
        } catch (IOException e) {
            dead = true;
            throw new IllegalStateException("cuda emulator stopped: " + stderr(), e);
        }
    }

    @Override
    public synchronized void launch(String kernel, LaunchShape s, Object[] args) {
        byte[] name = kernel.getBytes(StandardCharsets.UTF_8);
        int size = 2 + name.length + 24 + 1 + 4;
        for (Object a : args) {
            size += 1 + (a instanceof int[] v ? 4 + 4 * v.length : 8);
        }
        ByteBuffer b = request(5, size).putShort((short) name.length).put(name).putInt(s.gridX()).putInt(s.gridY())
                .putInt(s.gridZ()).putInt(s.blockX()).putInt(s.blockY()).putInt(s.blockZ())
                .put((byte) (synchronizing.contains(kernel) ? 0 : 1)).putInt(args.length);
        for (Object a : args) {
            if (a instanceof Buffer p) {
                b.put((byte) 'p').putLong(p.id());
            } else if (a instanceof Integer v) {
                b.put((byte) 'i').putInt(v);
            } else if (a instanceof Float v) {
                b.put((byte) 'f').putFloat(v);
            } else if (a instanceof Long v) {
                b.put((byte) 'l').putLong(v);
            } else if (a instanceof int[] v) {
                b.put((byte) 's').putInt(v.length);
                for (int x : v) {
                    b.putInt(x);
                }
            } else {
                throw new IllegalArgumentException("cuda emulator: unsupported argument " + a);
            }
        }
        send(b);
    }

    @Override
    public void synchronize() {
    }

    /** Bytes the server holds in buffers. */
    synchronized long bytesAllocated() {
        send(request(7, 0));
        try {
            return readLong();
        } catch (IOException e) {
            dead = true;
            throw new IllegalStateException("cuda emulator stopped: " + stderr(), e);
        }
    }

    @Override
    public long[] memoryInfo() {
        long used = bytesAllocated();
        return new long[]{TOTAL - used, TOTAL};
    }

    /** The kernels the server can run. */
    synchronized Set<String> kernels() {
        send(request(6, 0));
        try {
            Set<String> names = new TreeSet<>();
            int n = readInt();
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[Short.toUnsignedInt(Short.reverseBytes(in.readShort()))];
                in.readFully(b);
                names.add(new String(b, StandardCharsets.UTF_8));
            }
            return names;
        } catch (IOException e) {
            dead = true;
            throw new IllegalStateException("cuda emulator stopped: " + stderr(), e);
        }
    }
}
