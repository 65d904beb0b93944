package dev.fineturn.models.numpy;

import dev.fineturn.models.format.Printable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literal in a {@code .npy} header: dicts, tuples, lists, quoted strings, ints,
 * True, False and None, nothing else. Values become {@code Map}, {@code List}, {@code String},
 * {@code Long}, {@code Boolean} or null.
 */
final class PythonLiteral {
    private static final int MAX_DEPTH = 16;

    private final String text;
    private int pos;

    private PythonLiteral(String text) {
        this.text = text;
    }

    /** The single literal that makes up {@code text}, or an {@link IllegalArgumentException} naming the problem. */
    static Object parse(String text) {
        PythonLiteral p = new PythonLiteral(text);
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the literal");
        }
        return value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested too deeply");
        }
        skipSpace();
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> dict(depth);
            case '(' -> sequence(')', depth);
            case '[' -> sequence(']', depth);
            case '\'', '"' -> string();
            default -> c == '-' || isDigit(c) ? integer() : word();
        };
    }

    private Map<Object, Object> dict(int depth) {
        pos++;
        Map<Object, Object> out = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (consume('}')) {
                return out;
            }
            Object key = value(depth + 1);
            skipSpace();
            if (!consume(':')) {
                throw error("expected ':'");
            }
            if (out.put(key, value(depth + 1)) != null) {
                throw error("duplicate key " + Printable.text(String.valueOf(key)));
            }
            skipSpace();
            if (!consume(',')) {
                skipSpace();
                if (!consume('}')) {
                    throw error("expected ',' or '}'");
                }
                return out;
            }
        }
    }

    private List<Object> sequence(char close, int depth) {
        pos++;
        List<Object> out = new ArrayList<>();
        while (true) {
            skipSpace();
            if (consume(close)) {
                return out;
            }
            out.add(value(depth + 1));
            skipSpace();
            if (!consume(',')) {
                skipSpace();
                if (!consume(close)) {
                    throw error("expected ',' or '" + close + "'");
                }
                return out;
            }
        }
    }

    private String string() {
        char quote = text.charAt(pos++);
        StringBuilder b = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return b.toString();
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    break;
                }
                c = text.charAt(pos++);
            }
            b.append(c);
        }
        throw error("unterminated string");
    }

    private Long integer() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        String digits = text.substring(start, pos);
        if (pos < text.length() && text.charAt(pos) == 'L') {
            pos++; // Python 2 long suffix, still found in old files
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("not an integer of 64 bits: " + digits);
        }
    }

    private Object word() {
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
            pos++;
        }
        return switch (text.substring(start, pos)) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> null;
            default -> {
                pos = start;
                throw error("unexpected character '" + Printable.text(String.valueOf(text.charAt(start))) + "'");
            }
        };
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private boolean consume(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String problem) {
        return new IllegalArgumentException(problem + " at character " + pos);
    }
}
