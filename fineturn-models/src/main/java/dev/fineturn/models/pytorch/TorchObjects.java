package dev.fineturn.models.pytorch;

import dev.fineturn.models.format.Printable;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the whitelisted globals evaluate to when a checkpoint's pickle calls them, and how its
 * persistent ids become storage references. Nothing here runs Python; it builds plain values.
 */
final class TorchObjects {
    private final Map<String, StorageRef> storages = new HashMap<>();

    Object call(TorchGlobal function, PyTuple args) throws PickleException {
        return switch (function) {
            case ORDERED_DICT -> {
                if (args.size() != 0) {
                    throw new PickleException("OrderedDict is called with " + args.size() + " arguments, expected none");
                }
                yield new LinkedHashMap<Object, Object>();
            }
            case REBUILD_TENSOR_V2 -> rebuildTensor(args);
            case REBUILD_PARAMETER -> {
                arity(function, args, 3, 3);
                yield tensor(function, args.get(0));
            }
            case REBUILD_FROM_TYPE_V2 -> {
                arity(function, args, 4, 4);
                if (!(args.get(0) instanceof TorchGlobal inner) || !(args.get(2) instanceof PyTuple innerArgs)) {
                    throw new PickleException(function + " needs a function and an argument tuple");
                }
                if (args.get(1) != TorchGlobal.TENSOR_TYPE && args.get(1) != TorchGlobal.PARAMETER_TYPE) {
                    throw new PickleException(function + " rebuilds a " + Pickles.typeName(args.get(1))
                            + ", not a tensor");
                }
                yield tensor(function, call(inner, innerArgs));
            }
            default -> throw new PickleException(function + " cannot be called");
        };
    }

    /** {@code ('storage', storage_class, key, location, numel)}, as torch.save writes it. */
    StorageRef persistentLoad(Object pid) throws PickleException {
        if (!(pid instanceof PyTuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw new PickleException("persistent id is a " + Pickles.typeName(pid)
                    + ", not a ('storage', class, key, location, numel) tuple");
        }
        if (!(t.get(1) instanceof TorchGlobal g) || g.storageType == null) {
            throw new PickleException("persistent id names " + Pickles.typeName(t.get(1)) + ", not a storage class");
        }
        if (!(t.get(2) instanceof String key) || key.isEmpty()) {
            throw new PickleException("persistent id has no storage key");
        }
        long numel = nonNegative("storage '" + Printable.text(key) + "' element count", t.get(4));
        StorageRef ref = new StorageRef(g.storageType, key, numel);
        StorageRef known = storages.putIfAbsent(key, ref);
        if (known != null && !known.equals(ref)) {
            throw new PickleException("storage '" + Printable.text(key) + "' is declared as " + known.type() + " x " + known.numel()
                    + " and as " + ref.type() + " x " + ref.numel());
        }
        return known != null ? known : ref;
    }

    /** {@code (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private static TensorRef rebuildTensor(PyTuple args) throws PickleException {
        arity(TorchGlobal.REBUILD_TENSOR_V2, args, 6, 7);
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw new PickleException("_rebuild_tensor_v2 gets a " + Pickles.typeName(args.get(0)) + ", not a storage");
        }
        long offset = nonNegative("storage offset", args.get(1));
        long[] size = longs("size", args.get(2));
        long[] stride = longs("stride", args.get(3));
        if (size.length != stride.length) {
            throw new PickleException("tensor size has " + size.length + " dimensions but stride has " + stride.length);
        }
        return new TensorRef(storage, offset, size, stride);
    }

    private static void arity(TorchGlobal f, PyTuple args, int min, int max) throws PickleException {
        if (args.size() < min || args.size() > max) {
            throw new PickleException(f + " is called with " + args.size() + " arguments, expected "
                    + (min == max ? min : min + " to " + max));
        }
    }

    private static TensorRef tensor(TorchGlobal f, Object value) throws PickleException {
        if (value instanceof TensorRef t) {
            return t;
        }
        throw new PickleException(f + " wraps a " + Pickles.typeName(value) + ", not a tensor");
    }

    private static long[] longs(String what, Object value) throws PickleException {
        if (!(value instanceof PyTuple t)) {
            throw new PickleException("tensor " + what + " is a " + Pickles.typeName(value) + ", not a tuple");
        }
        List<Object> items = t.items();
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative("tensor " + what + " entry", items.get(i));
        }
        return out;
    }

    private static long nonNegative(String what, Object value) throws PickleException {
        if (value instanceof Long l && l >= 0) {
            return l;
        }
        if (value instanceof Long || value instanceof BigInteger) {
            throw new PickleException(what + " " + value + " is out of range");
        }
        throw new PickleException(what + " is a " + Pickles.typeName(value) + ", not an int");
    }
}
