import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every script keeps the project's shape, has a catalog alias, and works in the three ways a user gets it:
 * from a sparse checkout, copied alone with only the helper beside it, and through a jbang-catalog.json alias
 * (and by URL, which resolves the helper relative to the script's URL).
 */
class ScriptsTest {
    static final String HELPER = "Kit.java";
    @TempDir Path tmp;

    static List<Path> scripts() throws IOException {
        try (Stream<Path> s = Files.list(TestKit.repo().resolve("scripts"))) {
            return s.filter(p -> p.toString().endsWith(".java") && !p.getFileName().toString().equals(HELPER)).sorted().toList();
        }
    }

    /** The files a script names in //SOURCES lines (each must be a script beside it: a download needs nothing else). */
    static List<String> sources(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith("//SOURCES ")).map(l -> l.substring(10).trim()).toList();
    }

    static Set<String> deps(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith("//DEPS ")).map(l -> l.substring(7).trim())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyScriptHasTheProjectShape() throws Exception {
        Set<String> kitDeps = deps(TestKit.script(HELPER));
        assertFalse(kitDeps.isEmpty());
        for (String d : kitDeps) assertTrue(d.matches("[\\w.-]+:[\\w.-]+:\\d[\\w.-]*"), "pinned version, no range: " + d);
        List<Path> all = scripts();
        assertFalse(all.isEmpty());
        for (Path p : all) {
            String name = p.getFileName().toString().replace(".java", "");
            String src = Files.readString(p);
            List<String> lines = src.lines().toList();
            assertEquals("///usr/bin/env jbang \"$0\" \"$@\" ; exit $?", lines.get(0), name + ": first line");
            assertTrue(lines.contains("//JAVA 17+"), name + ": //JAVA 17+");
            assertTrue(lines.contains("//SOURCES " + HELPER), name + ": //SOURCES " + HELPER);
            assertEquals(kitDeps, deps(p), name + ": the same pinned //DEPS as the helper");
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("//DESCRIPTION ")), name + ": //DESCRIPTION");
            assertTrue(src.contains("public class " + name + " implements Callable<Integer>"), name + ": one Callable command class");
            assertTrue(src.contains("public static int run(PrintStream out, PrintStream err, String... args)"), name + ": static int run(...)");
            assertTrue(src.contains("\"--json\""), name + ": --json");
            assertTrue(src.contains("\"--dry-run\""), name + ": --dry-run");
            assertTrue(src.contains("footer"), name + ": --help examples in the footer");
        }
    }

    @Test
    void theCatalogHasOneAliasPerScriptAndEveryAliasPointsAtAScript() throws Exception {
        JsonNode aliases = Kit.readJson(TestKit.repo().resolve("jbang-catalog.json")).get("aliases");
        Set<String> referenced = new TreeSet<>();
        aliases.properties().forEach(e -> {
            String ref = e.getValue().path("script-ref").asText();
            assertTrue(Files.isRegularFile(TestKit.repo().resolve(ref)), e.getKey() + " → " + ref + " exists");
            assertFalse(e.getValue().path("description").asText().isBlank(), e.getKey() + " has a description");
            assertTrue(e.getKey().matches("[a-z]+(-[a-z]+)*"), "alias name " + e.getKey());
            assertTrue(referenced.add(ref), "one alias per script: " + ref);
        });
        Set<String> expected = new TreeSet<>();
        for (Path p : scripts()) expected.add("scripts/" + p.getFileName());
        assertEquals(expected, referenced);
    }

    @Test
    void eachScriptRunsCopiedAloneWithOnlyTheHelperBesideIt() throws Exception {
        for (Path script : scripts()) {
            Path dir = Files.createDirectories(tmp.resolve("alone-" + script.getFileName()));
            Files.copy(script, dir.resolve(script.getFileName()));
            Files.copy(TestKit.script(HELPER), dir.resolve(HELPER));
            for (String src : sources(script)) // a script that builds on another (CompareRuns on AnalyzeResults) names it; wget fetches it too
                if (!src.equals(HELPER)) Files.copy(TestKit.script(src), dir.resolve(src));
            TestKit.Run r = TestKit.jbang(dir, Map.of(), script.getFileName().toString(), "--help");
            assertEquals(0, r.code(), script.getFileName() + " alone: " + r);
            assertTrue(r.out().contains("Usage:") && r.out().contains("Examples:"), script.getFileName() + ": " + r.out());
            assertFalse(r.all().contains("[picocli WARN]"), script.getFileName() + ": picocli warns about its help text: " + r.all());
        }
    }

    /**
     * A real `git sparse-checkout set scripts configs` of this repository (cone mode keeps the root files, such as
     * jbang-catalog.json, and only those two folders). The working tree's scripts/ and configs/ are laid over it, so
     * that uncommitted changes are what runs (on CI they are identical). Without a git checkout (a source archive): a plain copy.
     */
    private Path sparseCheckout() throws IOException {
        Path dir = tmp.resolve("sparse");
        Path repo = TestKit.repo();
        Map<String, String> env = Map.of("GIT_CONFIG_NOSYSTEM", "1", "HOME", tmp.toString());
        java.time.Duration t = java.time.Duration.ofMinutes(2);
        if (Files.isDirectory(repo.resolve(".git"))) {
            TestKit.Run clone = TestKit.process(tmp, env, List.of(), t, "git", "clone", "--quiet", "--no-checkout", repo.toUri().toString(), dir.toString());
            assertEquals(0, clone.code(), clone.toString());
            assertEquals(0, TestKit.process(dir, env, List.of(), t, "git", "sparse-checkout", "set", "--cone", "scripts", "configs").code());
            assertEquals(0, TestKit.process(dir, env, List.of(), t, "git", "checkout", "--quiet").code());
            assertTrue(Files.isRegularFile(dir.resolve("jbang-catalog.json")));
            for (String absent : List.of("test-cases", "content", "agentic-kits", "images"))
                assertFalse(Files.exists(dir.resolve(absent)), "the sparse checkout leaves out " + absent);
        } else {
            Files.createDirectories(dir);
            Files.copy(repo.resolve("jbang-catalog.json"), dir.resolve("jbang-catalog.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        copyTree(repo.resolve("scripts"), dir.resolve("scripts"));
        copyTree(repo.resolve("configs"), dir.resolve("configs"));
        return dir;
    }

    @Test
    void aScriptRunsFromASparseCheckoutAndThroughItsCatalogAlias() throws Exception {
        Path dir = sparseCheckout();
        Path script = scripts().get(0);
        TestKit.Run direct = TestKit.jbang(dir, Map.of(), "scripts/" + script.getFileName(), "--help");
        assertEquals(0, direct.code(), direct.toString());
        String alias = aliasOf("scripts/" + script.getFileName());
        TestKit.Run viaAlias = TestKit.jbang(dir, Map.of(), alias, "--help");
        assertEquals(0, viaAlias.code(), viaAlias.toString());
        assertEquals(direct.out(), viaAlias.out());
    }

    @Test
    void aScriptRunsByUrlWithTheHelperResolvedBesideIt() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Path root = TestKit.repo();
        server.createContext("/", ex -> {
            Path f = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            byte[] body = f.startsWith(root.resolve("scripts")) && Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) try (OutputStream o = ex.getResponseBody()) { o.write(body); }
            ex.close();
        });
        server.start();
        try {
            Path script = scripts().get(0);
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/scripts/" + script.getFileName();
            Path jbangHome = Files.createDirectories(tmp.resolve("jbang-home"));
            TestKit.Run r = TestKit.jbang(tmp, Map.of("JBANG_DIR", jbangHome.toString(),
                    "JBANG_REPO", Path.of(System.getProperty("user.home"), ".m2", "repository").toString()), url, "--help");
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("Usage:"), r.out());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theBenchmarkScriptStillCompiles() {
        // test-cases/AnalyzeBenchmark.java is run by hand (README); it is not part of the suite's compilation.
        TestKit.Run r = TestKit.jbang(TestKit.repo(), Map.of(), "build", "test-cases/AnalyzeBenchmark.java");
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void theReadmeWgetRecipeNamesTheHelper() throws Exception {
        String readme = Files.readString(TestKit.repo().resolve("README.md"));
        Matcher m = Pattern.compile("wget(?:[^\\n]|\\\\\\n)*/scripts/" + Pattern.quote(HELPER)).matcher(readme);
        assertTrue(m.find(), "README shows how to wget a script together with " + HELPER);
    }

    private static String aliasOf(String ref) {
        List<String> names = new ArrayList<>();
        Kit.readJson(TestKit.repo().resolve("jbang-catalog.json")).get("aliases").properties().forEach(e -> {
            if (e.getValue().path("script-ref").asText().equals(ref)) names.add(e.getKey());
        });
        assertEquals(1, names.size(), "one alias for " + ref);
        return names.get(0);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
