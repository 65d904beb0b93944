package dev.fineturn.ops;

import dev.fineturn.spi.Backend;
import dev.fineturn.tensor.Shape;
import dev.fineturn.tensor.Tensor;

/** Argument checks shared by the ops; every message names the op and the shapes. */
final class Checks {
    private Checks() {
    }

    static Backend sameBackend(String op, Tensor... ts) {
        Backend b = null;
        for (Tensor t : ts) {
            if (t == null) {
                continue;
            }
            if (b == null) {
                b = t.backend();
            } else if (t.backend() != b) {
                throw new IllegalArgumentException(op + ": tensors live on different backends '" + b.name()
                        + "' and '" + t.backend().name() + "'; move one with to(backend)");
            }
        }
        return b;
    }

    static void rank(String op, String what, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have rank " + rank + ", got shape "
                    + Shape.str(t.shape()));
        }
    }
}
