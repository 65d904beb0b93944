package dev.fineturn.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsCommandTest {
    private static String capture(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listsEveryBackendWithAvailabilityAndReason() {
        String out = capture("backends");
        for (String name : new String[]{"reference", "cpu", "opencl", "cuda"}) {
            assertTrue(out.contains(name), "missing " + name + " in\n" + out);
        }
        assertTrue(out.contains("<- default"), out);
    }

    @Test
    void jsonOutputNamesTheDefault() {
        String out = capture("backends", "--json");
        assertTrue(out.startsWith("{\"default\":\""), out);
        assertTrue(out.contains("\"name\":\"cuda\""), out);
    }
}
