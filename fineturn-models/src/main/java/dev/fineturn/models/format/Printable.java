package dev.fineturn.models.format;

/**
 * Names read from a weight file (entries, keys, globals), made safe to put in an error message:
 * control and invalid characters are escaped and long names are cut, so a corrupt or hostile file
 * cannot garble a terminal or a log.
 */
public final class Printable {
    private static final int MAX = 80;

    private Printable() {
    }

    public static String text(String untrusted) {
        if (untrusted == null) {
            return "None";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < untrusted.length() && b.length() < MAX; i++) {
            char c = untrusted.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                b.append(String.format("\\x%02x", (int) c));
            } else if (c == '\ufffd' || Character.isSurrogate(c) || !Character.isDefined(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() < MAX || untrusted.length() <= MAX ? b.toString() : b + "...";
    }

    /** The message of a low-level exception, or its type when it has none. */
    public static String cause(Throwable t) {
        return t.getMessage() != null ? text(t.getMessage()) : t.getClass().getSimpleName();
    }
}
