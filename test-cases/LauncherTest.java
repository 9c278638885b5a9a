import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The ./jbang launcher: an installed jbang first, else .jbang/jbang.jar fetched with Maven, else install advice. */
class LauncherTest {
    @TempDir Path tmp;

    /** A copy of the launcher in a fresh folder (no .jbang/), with a PATH holding only the tools named. */
    private Path isolatedLauncher(String... tools) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("repo"));
        Files.copy(TestKit.repo().resolve("jbang"), home.resolve("jbang"));
        home.resolve("jbang").toFile().setExecutable(true);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String t : List.of("dirname", "basename", "cat", "mkdir", "mv", "rmdir", "env", "cp", "sed", "head", "cut", "mktemp", "rm")) link(bin, t);
        for (String t : tools) link(bin, t);
        return home;
    }

    /** Makes `tool` available in bin as a one-line wrapper around the real program (no symlinks to clean up). */
    static void link(Path bin, String tool) throws IOException {
        Path real = tool.equals("java") ? Path.of(System.getProperty("java.home"), "bin", "java") : null;
        for (String dir : System.getenv("PATH").split(":")) {
            Path p = Path.of(dir, tool);
            if (real == null && Files.isExecutable(p)) real = p.toRealPath();
        }
        if (real != null && !Files.exists(bin.resolve(tool))) TestKit.fakeTool(bin, tool, "exec '" + real + "' \"$@\"");
    }

    private TestKit.Run launch(Path home, String... args) { return launch(home, Map.of(), args); }

    private TestKit.Run launch(Path home, Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", tmp.resolve("bin").toString(), "JAVA_HOME", ""));
        env.putAll(extraEnv);
        String[] argv = new String[args.length + 2];
        argv[1] = home.resolve("jbang").toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        argv[0] = Path.of("/bin/bash").toString();
        return TestKit.process(home, env, List.of(), Duration.ofMinutes(3), argv);
    }

    @Test
    void anInstalledJbangIsUsedAndPromptsAreDisabled() throws Exception {
        Path home = isolatedLauncher();
        TestKit.fakeTool(tmp.resolve("bin"), "jbang", "echo \"installed jbang: $* notty=$JBANG_STDIN_NOTTY\"");
        TestKit.Run r = launch(home, "version", "--x");
        assertEquals(0, r.code(), r.toString());
        assertEquals("installed jbang: version --x notty=true\n", r.out());
    }

    @Test
    void withoutJbangAndMavenItExplainsHowToInstallAndExits1() throws Exception {
        Path home = isolatedLauncher("java");
        TestKit.Run r = launch(home, "version");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("brew install jbangdev/tap/jbang"), r.err());
        assertTrue(r.err().contains("sdk install jbang"), r.err());
        assertFalse(Files.exists(home.resolve(".jbang/jbang.jar")));
    }

    @Test
    void fetchesThePinnedFatJarWithMavenOnceAndSpeaksTheExecProtocol() throws Exception {
        Path home = isolatedLauncher("java");
        // The pinned artifact as Maven leaves it in the local repository (the launcher fetched it so, or the repo's copy).
        Path realJar = Path.of(System.getProperty("user.home"), ".m2/repository/dev/jbang/jbang-cli/0.132.1/jbang-cli-0.132.1-all.jar");
        if (!Files.exists(realJar)) realJar = TestKit.repo().resolve(".jbang/jbang.jar");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(realJar), "no local copy of jbang-cli 0.132.1 to stand in for the Maven download");
        Path calls = tmp.resolve("mvn-calls.txt");
        // A fake mvn that records its arguments and "downloads" by copying the real jar into -DoutputDirectory.
        TestKit.fakeTool(tmp.resolve("bin"), "mvn", String.join("\n",
                "echo \"$*\" >> '" + calls + "'",
                "for a in \"$@\"; do case \"$a\" in -DoutputDirectory=*) out=\"${a#-DoutputDirectory=}\";; esac; done",
                "/bin/cp '" + realJar + "' \"$out/jbang-cli-0.132.1-all.jar\""));
        TestKit.Run first = launch(home, "version");
        assertEquals(0, first.code(), first.toString());
        assertEquals("0.132.1", first.out().trim());
        assertTrue(Files.readString(calls).contains("dependency:copy -Dartifact=dev.jbang:jbang-cli:0.132.1:jar:all"), Files.readString(calls));
        assertTrue(Files.isRegularFile(home.resolve(".jbang/jbang.jar")));
        // Second run: the jar is there, Maven is not called again.
        TestKit.Run second = launch(home, "version");
        assertEquals(0, second.code(), second.toString());
        assertEquals(1, Files.readAllLines(calls).size());
        // A script run goes through exit 255 + exec of the printed command.
        Files.writeString(home.resolve("Hello.java"), "//JAVA 17+\nclass Hello { public static void main(String[] a) { System.out.println(\"hi \" + a[0]); System.exit(7); } }\n");
        TestKit.Run script = launch(home, "--quiet", "Hello.java", "there");
        assertEquals(7, script.code(), script.toString());
        assertEquals("hi there\n", script.out());
    }

    @Test
    void aFailedMavenFetchPointsAtItsLogAndExits1() throws Exception {
        Path home = isolatedLauncher("java");
        TestKit.fakeTool(tmp.resolve("bin"), "mvn", "echo 'Could not transfer artifact: network is unreachable'; exit 1");
        TestKit.Run r = launch(home, "version");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("Maven could not fetch dev.jbang:jbang-cli:0.132.1:jar:all (log: .jbang/fetch.log)"), r.err());
        assertTrue(Files.readString(home.resolve(".jbang/fetch.log")).contains("network is unreachable"));
        assertFalse(Files.exists(home.resolve(".jbang/jbang.jar")));
    }

    @Test
    void mavenThatLeavesNoJarIsAnErrorNotAJavaCrash() throws Exception {
        Path home = isolatedLauncher("java");
        TestKit.fakeTool(tmp.resolve("bin"), "mvn", "echo 'BUILD SUCCESS'");
        TestKit.Run r = launch(home, "version");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: Maven ran but left no jbang-cli-0.132.1-all.jar in .jbang/download (log: .jbang/fetch.log)"), r.err());
        assertFalse(r.err().contains("dev.jbang.Main"), r.err());
    }

    @Test
    void jbangFolderIsIgnoredByGit() throws Exception {
        assertTrue(Files.readAllLines(TestKit.repo().resolve(".gitignore")).contains(".jbang/"));
    }

    // ------------------------------------------------------------ curl download of JBang's release archive

    /** The real pinned jbang fat jar (Maven's copy or the checkout's), to put into the archive the test serves. */
    private static Path realJbangJar() {
        Path jar = Path.of(System.getProperty("user.home"), ".m2/repository/dev/jbang/jbang-cli/0.132.1/jbang-cli-0.132.1-all.jar");
        if (!Files.exists(jar)) jar = TestKit.repo().resolve(".jbang/jbang.jar");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(jar), "no local copy of jbang 0.132.1 to build a release archive from");
        return jar;
    }

    /** A zip laid out like JBang's release archive (jbang-0.132.1/bin/jbang.jar). */
    private Path releaseArchive() throws IOException {
        Path zip = tmp.resolve("jbang-0.132.1.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("jbang-0.132.1/bin/jbang"));
            out.write("#!/bin/bash\n".getBytes());
            out.putNextEntry(new java.util.zip.ZipEntry("jbang-0.132.1/bin/jbang.jar"));
            Files.copy(realJbangJar(), out);
            out.closeEntry();
        }
        return zip;
    }

    /** Serves file at /v0.132.1/jbang-0.132.1.zip on 127.0.0.1 and counts the requests. */
    private record Server(com.sun.net.httpserver.HttpServer http, java.util.concurrent.atomic.AtomicInteger hits) implements AutoCloseable {
        static Server serving(Path file) throws IOException {
            var http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            var hits = new java.util.concurrent.atomic.AtomicInteger();
            http.createContext("/", ex -> {
                hits.incrementAndGet();
                boolean known = ex.getRequestURI().getPath().equals("/v0.132.1/jbang-0.132.1.zip");
                byte[] body = known ? Files.readAllBytes(file) : "not found".getBytes();
                ex.sendResponseHeaders(known ? 200 : 404, body.length);
                try (var os = ex.getResponseBody()) { os.write(body); }
            });
            http.start();
            return new Server(http, hits);
        }
        String base() { return "http://127.0.0.1:" + http.getAddress().getPort(); }
        @Override public void close() { http.stop(0); }
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** A clean HOME and JBANG_DIR (no JBang, no cache), the test's release mirror, Maven's local repository for the //DEPS. */
    private Map<String, String> cleanHome(Server server) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home"));   // JBang reads Java's user.home, so JBANG_DIR too
        return Map.of("HOME", home.toString(), "JBANG_DIR", home.resolve(".jbang").toString(), "SME2_JBANG_RELEASES_URL", server.base(),
                "JBANG_REPO", Path.of(System.getProperty("user.home"), ".m2/repository").toString(), "NO_COLOR", "1");
    }

    private static void pinChecksum(Path launcher, String sha) throws IOException {
        String text = Files.readString(launcher);
        String pinned = "JBANG_ZIP_SHA256=93baab61cd5805f4fc9496527b2842af9ae45a5281e67b50d185ca76ec4fe85c\n";
        assertEquals(1, text.split(pinned, -1).length - 1, "the launcher pins the SHA-256 of the real jbang-0.132.1.zip once");
        Files.writeString(launcher, text.replace(pinned, "JBANG_ZIP_SHA256=" + sha + "\n"));
    }

    @Test
    void withOnlyBashCurlAndJavaItDownloadsTheReleaseChecksItAndReachesAScriptsHelp() throws Exception {
        Path home = isolatedLauncher("java", "curl", "unzip", "sha256sum");
        Path zip = releaseArchive();
        pinChecksum(home.resolve("jbang"), sha256(zip));   // the test's archive stands in for the real release
        Files.createDirectories(home.resolve("scripts"));
        for (String s : List.of("Kit.java", "ValidateResults.java")) Files.copy(TestKit.script(s), home.resolve("scripts").resolve(s));
        try (Server server = Server.serving(zip)) {
            Map<String, String> env = cleanHome(server);
            TestKit.Run r = launch(home, env, "--quiet", "scripts/ValidateResults.java", "--help");
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("Usage: ValidateResults"), r.out());
            assertTrue(r.err().contains("downloading JBang 0.132.1 from " + server.base() + "/v0.132.1/jbang-0.132.1.zip"), r.err());
            assertEquals(-1, Files.mismatch(realJbangJar(), home.resolve(".jbang/jbang.jar")));
            try (var left = Files.list(home.resolve(".jbang"))) { assertEquals(List.of("jbang.jar"), left.map(p -> p.getFileName().toString()).toList()); }
            // Once there, the jar is used as it is: no second download.
            TestKit.Run again = launch(home, env, "version");
            assertEquals(0, again.code(), again.toString());
            assertEquals("0.132.1", again.out().trim());
            assertEquals(1, server.hits().get());
        }
    }

    @Test
    void withoutUnzipTheArchiveIsUnpackedWithTheJarToolOnPath() throws Exception {
        // java found on PATH (no JAVA_HOME), no unzip: the launcher must use the jar on PATH, not "./jar" in its temporary folder.
        Path home = isolatedLauncher("java", "jar", "curl", "sha256sum");
        assertFalse(Files.exists(tmp.resolve("bin/unzip")));
        Path zip = releaseArchive();
        pinChecksum(home.resolve("jbang"), sha256(zip));
        try (Server server = Server.serving(zip)) {
            TestKit.Run r = launch(home, cleanHome(server), "version");
            assertEquals(0, r.code(), r.toString());
            assertEquals("0.132.1", r.out().trim());
            assertEquals(-1, Files.mismatch(realJbangJar(), home.resolve(".jbang/jbang.jar")));
        }
    }

    @Test
    void aChecksumMismatchIsRefusedAndLeavesNothingHalfWritten() throws Exception {
        Path home = isolatedLauncher("java", "curl", "unzip", "sha256sum");
        Path zip = releaseArchive();   // not the real release: its SHA-256 differs from the pinned one
        try (Server server = Server.serving(zip)) {
            TestKit.Run r = launch(home, cleanHome(server), "version");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().contains("error: checksum mismatch for " + server.base() + "/v0.132.1/jbang-0.132.1.zip: SHA-256 is "
                    + sha256(zip) + ", expected 93baab61cd5805f4fc9496527b2842af9ae45a5281e67b50d185ca76ec4fe85c; nothing was installed"), r.err());
            assertTrue(r.err().contains("fix:"), r.err());
            try (var left = Files.list(home.resolve(".jbang"))) { assertEquals(List.of(), left.toList()); }
        }
    }

    @Test
    void aFailedDownloadSaysWhatAndHowToFix() throws Exception {
        Path home = isolatedLauncher("java", "curl", "unzip", "sha256sum");
        try (Server server = Server.serving(tmp.resolve("absent.zip"))) {
            Map<String, String> env = new java.util.HashMap<>(cleanHome(server));
            env.put("SME2_JBANG_RELEASES_URL", server.base() + "/nowhere");
            TestKit.Run r = launch(home, env, "version");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().contains("error: could not download " + server.base() + "/nowhere/v0.132.1/jbang-0.132.1.zip"), r.err());
            assertTrue(r.err().contains("SME2_JBANG_RELEASES_URL"), r.err());
            assertFalse(Files.exists(home.resolve(".jbang/jbang.jar")));
        }
    }

    @Test
    void theDefaultSourceIsJbangsGithubReleaseOverHttpsOnly() throws Exception {
        String text = Files.readString(TestKit.repo().resolve("jbang"));
        assertTrue(text.contains("JBANG_RELEASES=\"${SME2_JBANG_RELEASES_URL:-https://github.com/jbangdev/jbang/releases/download}\""), text);
        assertTrue(text.contains("proto=\"=https\""), text);
    }

    @Test
    void withoutJavaOrWithAnOldJavaItSaysHowToInstallOne() throws Exception {
        Path home = isolatedLauncher("curl");
        TestKit.Run none = launch(home, "version");
        assertEquals(1, none.code(), none.toString());
        assertTrue(none.err().startsWith("error: no working Java found"), none.err());
        assertTrue(none.err().contains("brew install openjdk@17"), none.err());
        TestKit.fakeTool(tmp.resolve("bin"), "java", "echo 'openjdk version \"11.0.22\" 2024-01-16' >&2");
        TestKit.Run old = launch(home, "version");
        assertEquals(1, old.code(), old.toString());
        assertTrue(old.err().contains("error: Java 17 or newer is needed; java is: openjdk version \"11.0.22\""), old.err());
        assertFalse(Files.exists(home.resolve(".jbang")));
    }

    @Test
    void aCatalogAliasWorksFromAnyFolderNotOnlyTheCheckoutRoot() throws Exception {
        Path home = isolatedLauncher("grep");
        Files.copy(TestKit.repo().resolve("jbang-catalog.json"), home.resolve("jbang-catalog.json"));
        TestKit.fakeTool(tmp.resolve("bin"), "jbang", "printf '%s|' \"$@\"");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Map<String, String> env = Map.of("PATH", tmp.resolve("bin").toString());
        String launcher = home.resolve("jbang").toString();
        TestKit.Run alias = TestKit.process(elsewhere, env, List.of(), Duration.ofMinutes(1), "/bin/bash", launcher, "--quiet", "analyze-results", "--help");
        assertEquals("--quiet|analyze-results@" + home.resolve("jbang-catalog.json") + "|--help|", alias.out(), alias.toString());
        // Not an alias, a file of that name, or a JBang command: passed on untouched.
        Files.writeString(elsewhere.resolve("validate-setup"), "");
        for (List<String> args : List.of(List.of("version"), List.of("validate-setup", "x"), List.of("scripts/AnalyzeResults.java", "analyze-results"), List.<String>of())) {
            List<String> argv = new java.util.ArrayList<>(List.of("/bin/bash", launcher));
            argv.addAll(args);
            TestKit.Run r = TestKit.process(elsewhere, env, List.of(), Duration.ofMinutes(1), argv.toArray(String[]::new));
            assertEquals(args.isEmpty() ? "|" : String.join("|", args) + "|", r.out(), r.toString());
        }
    }
}
