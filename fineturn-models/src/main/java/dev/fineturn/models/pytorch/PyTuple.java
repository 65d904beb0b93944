package dev.fineturn.models.pytorch;

import java.util.List;

/** A Python tuple from the pickle (lists stay {@code ArrayList}s, dicts {@code LinkedHashMap}s). */
record PyTuple(List<Object> items) {
    static final PyTuple EMPTY = new PyTuple(List.of());

    int size() {
        return items.size();
    }

    Object get(int i) {
        return items.get(i);
    }
}
