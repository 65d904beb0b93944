package dev.fineturn.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Java quick start is this module's {@link QuickStart}, character for character, and
 * it runs as written on the class path and on the module path.
 */
class QuickStartTest {
    @TempDir
    static Path dir;
    private static Path photos;

    @BeforeAll
    static void photos() throws Exception {
        photos = dir.resolve("photos");
        Random r = new Random(11);
        for (String c : new String[]{"reddish", "bluish"}) {
            Files.createDirectories(photos.resolve(c));
            for (int i = 0; i < 8; i++) {
                BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 96; y++) {
                    for (int x = 0; x < 96; x++) {
                        int noise = r.nextInt(60);
                        int strong = 150 + r.nextInt(100);
                        img.setRGB(x, y, c.equals("reddish") ? strong << 16 | noise << 8 | noise
                                : noise << 16 | noise << 8 | strong);
                    }
                }
                ImageIO.write(img, "png", photos.resolve(c).resolve(i + ".png").toFile());
            }
        }
    }

    @Test
    void theReadmeShowsThisCodeAsItIs() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("```java\n(import dev\\.fineturn\\.backend\\.Backends;.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(m.find(), "the README has a Java quick start that begins with its imports");
        String source = Files.readString(Path.of("src/main/java/dev/fineturn/examples/QuickStart.java"));
        String body = source.substring(source.indexOf("import "));
        assertEquals(body.strip(), m.group(1).strip());
    }

    @Test
    void itRunsOnTheClassPath() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[]{photos.toString()});
        } finally {
            System.setOut(out);
        }
        checkResult(captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void itRunsOnTheModulePath() throws Exception {
        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("test-classes") && !e.contains("junit") && !e.contains("opentest4j")
                        && !e.contains("apiguardian"))
                .collect(Collectors.joining(File.pathSeparator));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("module-path.log");
        Process p = new ProcessBuilder(List.of(java.toString(), "--add-modules",
                "jdk.incubator.vector,ALL-MODULE-PATH", "--module-path", modulePath,
                "-m", "dev.fineturn.examples/dev.fineturn.examples.QuickStart", photos.toString()))
                .redirectError(dir.resolve("module-path.err").toFile()).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the module-path run finishes");
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), output + Files.readString(dir.resolve("module-path.err")));
        checkResult(output);
    }

    @Test
    void fineturnAndJavaBaseImportAsModulesWithoutClashes() {
        dev.fineturn.nn.Init.useBackend(dev.fineturn.reference.ReferenceBackend.get());
        assertEquals("2 parameter tensors; java.lang.Module",
                ImportModules.describe(new dev.fineturn.nn.Linear(3, 2, true)));
    }

    /** The printed FitResult names the strategy and a validation accuracy that tells the colours apart. */
    private static void checkResult(String printed) {
        Matcher m = Pattern.compile("partial:98: \\d+ epoch\\(s\\).*validation accuracy (\\d\\.\\d+)").matcher(printed);
        assertTrue(m.find(), printed);
        assertTrue(Double.parseDouble(m.group(1)) >= 0.66, printed);
    }
}
