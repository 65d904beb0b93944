package dev.fineturn.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The BOM names every published module of the build, and each of those POMs carries the licence. */
class BomTest {
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>(fineturn-[^<]+)</artifactId>");

    @Test
    void theBomListsEveryPublishedModule() throws Exception {
        Path root = Path.of("..");
        String parent = Files.readString(root.resolve("pom.xml"));
        assertTrue(parent.contains("<name>Apache-2.0</name>") && parent.contains("<scm>")
                && parent.contains("<developers>") && parent.contains("<url>"), "licence, SCM, developers, URL");
        assertTrue(Files.readString(root.resolve("LICENSE")).contains("Apache License"));
        List<String> published = new ArrayList<>();
        Matcher m = MODULE.matcher(parent);
        while (m.find()) {
            String pom = Files.readString(root.resolve(m.group(1)).resolve("pom.xml"));
            boolean skipped = pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
            String artifact = pom.replaceFirst("(?s).*?</parent>", "").replaceFirst(
                    "(?s).*?<artifactId>([^<]+)</artifactId>.*", "$1");
            if (!skipped && !artifact.equals("fineturn-bom")) {
                published.add(artifact);
            }
        }
        String bom = Files.readString(root.resolve("fineturn-bom/pom.xml"));
        TreeSet<String> listed = new TreeSet<>();
        Matcher a = ARTIFACT.matcher(bom);
        while (a.find()) {
            if (!a.group(1).equals("fineturn-bom")) {
                listed.add(a.group(1));
            }
        }
        assertEquals(new TreeSet<>(published), listed, "modules published vs listed in fineturn-bom");
    }
}
