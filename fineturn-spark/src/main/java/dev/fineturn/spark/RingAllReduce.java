package dev.fineturn.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A ring all-reduce of float vectors between the {@code n} tasks of a barrier stage, over plain
 * sockets: a reduce-scatter then an all-gather, each of n - 1 steps, so every task sends
 * 2 (n - 1) / n of the vector. Chunk j is summed along the ring starting at rank j, the same order
 * every time, so the result is reproducible. Every connection opens with the job's token and the
 * sender's rank, and a connection that brings anything else is dropped.
 */
public final class RingAllReduce implements AutoCloseable {
    private final int rank;
    private final int n;
    private final Socket out;
    private final Socket in;
    private final DataOutputStream toNext;
    private final DataInputStream fromPrev;
    private final ExecutorService sender;
    private long bytesSent;
    private long nanos;

    private RingAllReduce(int rank, int n, Socket out, Socket in) throws IOException {
        this.rank = rank;
        this.n = n;
        this.out = out;
        this.in = in;
        this.toNext = out == null ? null : new DataOutputStream(new BufferedOutputStream(out.getOutputStream(), 1 << 16));
        this.fromPrev = in == null ? null : new DataInputStream(new BufferedInputStream(in.getInputStream(), 1 << 16));
        this.sender = n > 1 ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fineturn-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** A server socket on {@code host} at the first free port of {@code ports} ("0" for any, or "from-to"). */
    public static ServerSocket bind(String host, String ports, int timeoutMs) throws IOException {
        int from;
        int to;
        String p = ports.trim();
        if (p.contains("-")) {
            from = Integer.parseInt(p.substring(0, p.indexOf('-')).trim());
            to = Integer.parseInt(p.substring(p.indexOf('-') + 1).trim());
        } else {
            from = Integer.parseInt(p);
            to = from;
        }
        if (from < 0 || to > 65535 || to < from) {
            throw new IllegalArgumentException("ring port range '" + ports + "': expected 0, a port or from-to");
        }
        IOException last = null;
        for (int port = from; port <= to; port++) {
            ServerSocket s = new ServerSocket();
            try {
                s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 8);
                s.setSoTimeout(timeoutMs);
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
            }
        }
        throw new IOException("no free port for the gradient ring on " + host + " in " + ports + ": " + last, last);
    }

    /**
     * Connects rank {@code rank} to its successor and accepts its predecessor.
     *
     * @param addresses every rank's "host:port", in rank order (from the barrier's allGather)
     */
    public static RingAllReduce connect(int rank, String[] addresses, ServerSocket server, String token,
                                        int timeoutMs) throws IOException {
        int n = addresses.length;
        if (n == 1) {
            return new RingAllReduce(0, 1, null, null);
        }
        String next = addresses[(rank + 1) % n];
        int colon = next.lastIndexOf(':');
        Socket out = new Socket();
        long deadline = System.currentTimeMillis() + timeoutMs;
        out.connect(new InetSocketAddress(next.substring(0, colon), Integer.parseInt(next.substring(colon + 1))),
                timeoutMs);
        out.setTcpNoDelay(true);
        out.setSoTimeout(timeoutMs);
        DataOutputStream hello = new DataOutputStream(out.getOutputStream());
        hello.writeUTF(token);
        hello.writeInt(rank);
        hello.flush();
        int prev = (rank - 1 + n) % n;
        Socket in = null;
        while (in == null) {
            if (System.currentTimeMillis() > deadline) {
                out.close();
                throw new SocketTimeoutException("rank " + rank + ": rank " + prev + " did not connect within "
                        + timeoutMs + " ms");
            }
            Socket s = server.accept();
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            try {
                DataInputStream d = new DataInputStream(s.getInputStream());
                String t = d.readUTF();
                int r = d.readInt();
                if (t.equals(token) && r == prev) {
                    in = s;
                } else {
                    s.close();
                }
            } catch (IOException e) {
                s.close();
            }
        }
        return new RingAllReduce(rank, n, out, in);
    }

    /** Replaces {@code v} by the sum over all ranks, in place; every rank gets the same bits. */
    public void sum(float[] v) throws IOException {
        if (n == 1) {
            return;
        }
        long t0 = System.nanoTime();
        int[] start = new int[n + 1];
        for (int c = 0; c <= n; c++) {
            start[c] = (int) ((long) v.length * c / n);
        }
        for (int s = 0; s < n - 1; s++) {
            int send = Math.floorMod(rank - s, n);
            int recv = Math.floorMod(rank - s - 1, n);
            Future<?> f = sendAsync(v, start[send], start[send + 1]);
            float[] got = receive(start[recv + 1] - start[recv]);
            await(f);
            for (int i = 0; i < got.length; i++) {
                v[start[recv] + i] += got[i];
            }
        }
        for (int s = 0; s < n - 1; s++) {
            int send = Math.floorMod(rank + 1 - s, n);
            int recv = Math.floorMod(rank - s, n);
            Future<?> f = sendAsync(v, start[send], start[send + 1]);
            float[] got = receive(start[recv + 1] - start[recv]);
            await(f);
            System.arraycopy(got, 0, v, start[recv], got.length);
        }
        nanos += System.nanoTime() - t0;
    }

    /** Bytes this rank has sent through the ring. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Time spent in {@link #sum}, in nanoseconds. */
    public long nanos() {
        return nanos;
    }

    private Future<?> sendAsync(float[] v, int from, int to) {
        byte[] bytes = new byte[4 * (to - from)];
        ByteBuffer.wrap(bytes).asFloatBuffer().put(v, from, to - from);
        bytesSent += bytes.length;
        return sender.submit(() -> {
            toNext.write(bytes);
            toNext.flush();
            return null;
        });
    }

    private float[] receive(int count) throws IOException {
        byte[] bytes = new byte[4 * count];
        fromPrev.readFully(bytes);
        float[] out = new float[count];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(out);
        return out;
    }

    private void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("rank " + rank + ": interrupted while sending", e);
        } catch (ExecutionException e) {
            throw new IOException("rank " + rank + ": sending to rank " + (rank + 1) % n + " failed: "
                    + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        if (sender != null) {
            sender.shutdownNow();
        }
        if (out != null) {
            out.close();
        }
        if (in != null) {
            in.close();
        }
    }

    static String token() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }
}
