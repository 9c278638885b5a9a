import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The toolkit's real home: folder HOME of ArmDeveloperEcosystem/arm-learning-paths. Every clone, sparse-checkout,
 * raw-URL, wget and catalog-alias example in the docs points there, and catalog aliases use the form JBang resolves
 * for a catalog below a repository's root (checked with JBang's own parser, offline).
 */
class HomeUrlsTest {
    static final Path REPO = TestKit.repo();
    static final String ORG_REPO = "ArmDeveloperEcosystem/arm-learning-paths";
    static final String HOME = "content/learning-paths/embedded-and-microcontrollers/sme-executorch-profiling";
    static final Pattern RAW = Pattern.compile("https://raw\\.githubusercontent\\.com/[^\\s)`'\"]+");
    static final Pattern CLONE = Pattern.compile("https://github\\.com/[^\\s)`'\"]+\\.git\\b");
    static final Pattern ALIAS_AT = Pattern.compile("\\b([a-z][a-z0-9-]*)@([A-Za-z0-9][^\\s`'\"]*)");

    /** Every text file of the checkout that the project ships (no build output, no .git). */
    static List<Path> shippedTextFiles() throws IOException {
        List<String> skip = List.of(".git", ".jbang", "out", "runs", "test-cases/tmp", "executorch", ".venv");
        try (Stream<Path> s = Files.walk(REPO)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> skip.stream().noneMatch(d -> REPO.relativize(p).startsWith(d)))
                    .filter(p -> p.toString().matches(".*\\.(md|java|json|py|txt|sh|yml|yaml|html|cmd)$") || p.getFileName().toString().equals("jbang"))
                    .sorted().toList();
        }
    }

    @Test
    void noPlaceholderOwnerIsLeftAnywhere() throws Exception {
        String placeholder = "<" + "owner>";
        List<String> hits = new ArrayList<>();
        for (Path p : shippedTextFiles()) {
            List<String> lines = Files.readAllLines(p);
            for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(placeholder)) hits.add(REPO.relativize(p) + ":" + (i + 1));
        }
        assertEquals(List.of(), hits);
    }

    @Test
    void cloneAndRawUrlsPointAtTheLearningPathFolderAndExistingFiles() throws Exception {
        int raw = 0, clone = 0;
        List<String> problems = new ArrayList<>();
        for (Path f : DocsTest.docFiles()) {
            String text = Files.readString(f);
            for (Matcher m = RAW.matcher(text); m.find(); raw++) {
                String prefix = "https://raw.githubusercontent.com/" + ORG_REPO + "/main/" + HOME + "/";
                String url = m.group();
                if (!url.startsWith(prefix)) problems.add(DocsTest.rel(f) + ": " + url + " is not under " + prefix);
                else if (!Files.isRegularFile(REPO.resolve(url.substring(prefix.length())))) problems.add(DocsTest.rel(f) + ": " + url + " names no file of the toolkit");
            }
            for (Matcher m = CLONE.matcher(text); m.find(); ) {
                if (m.group().contains("pytorch/executorch") || m.group().contains("google/XNNPACK")) continue;
                clone++;
                if (!m.group().equals("https://github.com/" + ORG_REPO + ".git")) problems.add(DocsTest.rel(f) + ": clone URL " + m.group());
                else if (!text.contains("git sparse-checkout set " + HOME) || !text.contains("cd " + HOME))
                    problems.add(DocsTest.rel(f) + ": a clone of " + ORG_REPO + " without `git sparse-checkout set " + HOME + "` and `cd " + HOME + "`");
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(raw >= 3 && clone >= 2, "raw URLs " + raw + ", clone URLs " + clone);
    }

    /** JBang's own parser of implicit catalog names (dev.jbang.catalog.ImplicitCatalogRef), from the pinned jar. */
    static Map<String, String> jbangParse(String catalogName) throws Exception {
        Path jar = REPO.resolve(".jbang/jbang.jar");
        if (!Files.exists(jar)) jar = Path.of(System.getProperty("user.home"), ".m2/repository/dev/jbang/jbang-cli/0.132.1/jbang-cli-0.132.1-all.jar");
        Assumptions.assumeTrue(Files.exists(jar), "no jbang 0.132.1 jar here to read JBang's catalog rule from");
        try (URLClassLoader cl = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null)) {
            Class<?> c = cl.loadClass("dev.jbang.catalog.ImplicitCatalogRef");
            Object ref = c.getMethod("parse", String.class).invoke(null, catalogName);
            Map<String, String> out = new java.util.LinkedHashMap<>();
            for (String name : List.of("org", "repo", "ref", "path")) {
                Field fld = c.getDeclaredField(name);
                fld.setAccessible(true);
                out.put(name, (String) fld.get(ref));
            }
            return out;
        }
    }

    @Test
    void remoteCatalogAliasesResolveToTheCatalogInTheLearningPathFolder() throws Exception {
        Map<String, String> aliases = DocCommands.aliases(REPO);
        Map<String, String> expected = Map.of("org", "ArmDeveloperEcosystem", "repo", "arm-learning-paths", "ref", "HEAD", "path", HOME);
        int seen = 0;
        for (Path f : DocsTest.docFiles()) {
            for (Matcher m = ALIAS_AT.matcher(Files.readString(f)); m.find(); ) {
                if (!aliases.containsKey(m.group(1))) continue;   // e-mail addresses, tool@version and the like
                seen++;
                assertEquals(expected, jbangParse(m.group(2)), DocsTest.rel(f) + ": " + m.group());
            }
        }
        assertTrue(seen >= 1, "no remote catalog alias in the docs");
        // Why not alias@org/repo/path: JBang reads the third part as a branch and looks for the catalog at the root.
        Map<String, String> slash = jbangParse(ORG_REPO + "/" + HOME);
        assertEquals(HOME, slash.get("ref"));
        assertEquals("", slash.get("path"));
    }
}
