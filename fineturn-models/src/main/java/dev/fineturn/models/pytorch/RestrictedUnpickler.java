package dev.fineturn.models.pytorch;

import dev.fineturn.io.WeightFormatException;
import dev.fineturn.models.format.Printable;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the pickle that {@code torch.save} writes (protocol 2, or 3-4 when asked) into plain Java
 * values, recognising only {@link TorchGlobal}s: any other global is refused before anything is
 * built. Only the opcodes a state dict needs are implemented; every other opcode is an error.
 * Dicts become {@code LinkedHashMap}s, lists {@code ArrayList}s, tuples {@link PyTuple}s, ints
 * {@code Long} (or {@code BigInteger}), floats {@code Double}, None {@code null}.
 */
final class RestrictedUnpickler {
    private static final int MAX_GLOBAL_NAME = 256;
    private static final int MAX_KEY_DEPTH = 32;

    private final Path file;
    private final String entry;
    private final byte[] in;
    private final TorchObjects torch;
    private final ArrayList<Object> stack = new ArrayList<>();
    /** Stack heights at each MARK; values below the top mark are out of reach until it is popped. */
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();
    private int pos;

    RestrictedUnpickler(Path file, String entry, byte[] pickle, TorchObjects torch) {
        this.file = file;
        this.entry = entry;
        this.in = pickle;
        this.torch = torch;
    }

    Object load() throws WeightFormatException {
        while (true) {
            int opStart = pos;
            try {
                if (pos >= in.length) {
                    throw new PickleException("ends without a STOP opcode");
                }
                int op = in[pos++] & 0xff;
                if (op == '.') {
                    return pop();
                }
                execute(op);
            } catch (PickleException e) {
                throw new WeightFormatException(file, entry + " byte " + opStart + ": " + e.getMessage());
            }
        }
    }

    private void execute(int op) throws PickleException {
        switch (op) {
            case 0x80 -> { // PROTO
                int v = u8();
                if (v < 2 || v > 4) {
                    throw new PickleException("pickle protocol " + v + " is not supported (torch.save writes 2)");
                }
            }
            case 0x95 -> take(8); // FRAME: a length hint only
            case '}' -> push(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
            case ']' -> push(new ArrayList<Object>()); // EMPTY_LIST
            case ')' -> push(PyTuple.EMPTY); // EMPTY_TUPLE
            case '(' -> marks.add(stack.size()); // MARK
            case 't' -> push(new PyTuple(popToMark())); // TUPLE
            case 0x85 -> push(popTuple(1)); // TUPLE1
            case 0x86 -> push(popTuple(2)); // TUPLE2
            case 0x87 -> push(popTuple(3)); // TUPLE3
            case 'X' -> push(utf8(u32())); // BINUNICODE
            case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
            case 'J' -> push(le(4, true)); // BININT
            case 'K' -> push((long) u8()); // BININT1
            case 'M' -> push(le(2, false)); // BININT2
            case 0x8a -> push(long1()); // LONG1
            case 'G' -> push(Double.longBitsToDouble(be8())); // BINFLOAT
            case 0x88 -> push(Boolean.TRUE); // NEWTRUE
            case 0x89 -> push(Boolean.FALSE); // NEWFALSE
            case 'N' -> push(null); // NONE
            case 's' -> { // SETITEM
                Object value = pop();
                Object key = pop();
                dict(peek()).put(hashable(key, 0), value);
            }
            case 'u' -> { // SETITEMS
                List<Object> items = popToMark();
                if (items.size() % 2 != 0) {
                    throw new PickleException("SETITEMS with an odd number of items");
                }
                Map<Object, Object> d = dict(peek());
                for (int i = 0; i < items.size(); i += 2) {
                    d.put(hashable(items.get(i), 0), items.get(i + 1));
                }
            }
            case 'a' -> { // APPEND
                Object value = pop();
                list(peek()).add(value);
            }
            case 'e' -> { // APPENDS
                List<Object> items = popToMark();
                list(peek()).addAll(items);
            }
            case 'h' -> push(memoGet(u8())); // BINGET
            case 'j' -> push(memoGet(u32())); // LONG_BINGET
            case 'q' -> memo.put((long) u8(), peek()); // BINPUT
            case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
            case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
            case 'c' -> push(global(line(), line())); // GLOBAL
            case 0x93 -> { // STACK_GLOBAL
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new PickleException("STACK_GLOBAL needs two strings");
                }
                push(global(m, n));
            }
            case 'R' -> { // REDUCE
                Object args = pop();
                Object function = pop();
                if (!(function instanceof TorchGlobal g) || !(args instanceof PyTuple t)) {
                    throw new PickleException("REDUCE calls a " + Pickles.typeName(function) + " with a "
                            + Pickles.typeName(args));
                }
                push(torch.call(g, t));
            }
            case 'b' -> { // BUILD: the state of an OrderedDict (its _metadata) or a tensor is not needed
                pop();
                Object target = peek();
                if (!(target instanceof Map) && !(target instanceof TensorRef)) {
                    throw new PickleException("BUILD on a " + Pickles.typeName(target));
                }
            }
            case 'Q' -> push(torch.persistentLoad(pop())); // BINPERSID
            default -> throw new PickleException(String.format("unsupported pickle opcode 0x%02x", op));
        }
    }

    private TorchGlobal global(String module, String name) throws PickleException {
        TorchGlobal g = TorchGlobal.find(module, name);
        if (g == null) {
            throw new PickleException("refusing the Python global '" + Printable.text(module + "." + name)
                    + "': a state dict only needs tensors, storages and OrderedDict, and fineturn never runs pickled code");
        }
        return g;
    }

    // ---- stack and memo ------------------------------------------------------------------------

    private void push(Object v) {
        stack.add(v);
    }

    private int floor() {
        return marks.isEmpty() ? 0 : marks.getLast();
    }

    private Object pop() throws PickleException {
        if (stack.size() <= floor()) {
            throw new PickleException("stack underflow");
        }
        return stack.removeLast();
    }

    private Object peek() throws PickleException {
        if (stack.size() <= floor()) {
            throw new PickleException("stack underflow");
        }
        return stack.getLast();
    }

    private List<Object> popToMark() throws PickleException {
        if (marks.isEmpty()) {
            throw new PickleException("no MARK to pop to");
        }
        int from = marks.removeLast();
        List<Object> top = stack.subList(from, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private PyTuple popTuple(int n) throws PickleException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return new PyTuple(java.util.Arrays.asList(items));
    }

    private Object memoGet(long index) throws PickleException {
        if (!memo.containsKey(index)) {
            throw new PickleException("memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object v) throws PickleException {
        if (v instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new PickleException("setting an item on a " + Pickles.typeName(v) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object v) throws PickleException {
        if (v instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw new PickleException("appending to a " + Pickles.typeName(v) + ", not a list");
    }

    /** Dict keys must be immutable values, as in Python; a list key could even contain itself. */
    private static Object hashable(Object key, int depth) throws PickleException {
        if (depth > MAX_KEY_DEPTH) {
            throw new PickleException("dict key nested too deeply");
        }
        switch (key) {
            case null -> {
            }
            case String s -> {
            }
            case Long l -> {
            }
            case BigInteger b -> {
            }
            case Double d -> {
            }
            case Boolean b -> {
            }
            case TorchGlobal g -> {
            }
            case PyTuple t -> {
                for (Object o : t.items()) {
                    hashable(o, depth + 1);
                }
            }
            default -> throw new PickleException("unhashable dict key of type " + Pickles.typeName(key));
        }
        return key;
    }

    // ---- raw reads ----------------------------------------------------------------------------

    private int take(int n) throws PickleException {
        if (n < 0 || n > in.length - pos) {
            throw new PickleException("needs " + n + " more bytes but only " + (in.length - pos) + " remain");
        }
        int at = pos;
        pos += n;
        return at;
    }

    private int u8() throws PickleException {
        return in[take(1)] & 0xff;
    }

    private long u32() throws PickleException {
        return le(4, false);
    }

    /** A little-endian integer of 2, 4 or 8 bytes; signed takes the top bit as the sign. */
    private long le(int n, boolean signed) throws PickleException {
        int at = take(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (in[at + i] & 0xff);
        }
        if (signed && n < 8) {
            v = (v << (64 - 8 * n)) >> (64 - 8 * n);
        }
        return v;
    }

    private long be8() throws PickleException {
        int at = take(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (in[at + i] & 0xff);
        }
        return v;
    }

    /** LONG1: a length byte, then a little-endian two's-complement integer. */
    private Object long1() throws PickleException {
        int n = u8();
        int at = take(n);
        if (n == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[n];
        for (int i = 0; i < n; i++) {
            bigEndian[i] = in[at + n - 1 - i];
        }
        BigInteger v = new BigInteger(bigEndian);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String utf8(long length) throws PickleException {
        if (length > in.length - pos) {
            throw new PickleException("string of " + length + " bytes runs past the end (" + (in.length - pos)
                    + " bytes remain)");
        }
        int at = take((int) length);
        return new String(in, at, (int) length, StandardCharsets.UTF_8);
    }

    /** A newline-terminated ASCII name, as GLOBAL writes module and attribute names. */
    private String line() throws PickleException {
        int start = pos;
        while (pos < in.length && pos - start <= MAX_GLOBAL_NAME) {
            if (in[pos] == '\n') {
                String s = new String(in, start, pos - start, StandardCharsets.US_ASCII);
                pos++;
                return s;
            }
            pos++;
        }
        throw new PickleException("GLOBAL name without a newline in " + MAX_GLOBAL_NAME + " bytes");
    }
}
