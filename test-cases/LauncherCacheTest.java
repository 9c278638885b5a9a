import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The launcher's resolved-command cache (.jbang/launch/): JBang's answer is reused only while the script, the files
 * its //SOURCES name, JBang, Java and JBang's environment are the same; anything else asks JBang again. A fake java
 * plays both JVMs: as JBang (dev.jbang.Main) it logs the call and prints the command for a "build" named after the
 * script's and Kit.java's contents, as the script's JVM it prints that build, its arguments and SME2_LAUNCHER (and on
 * stderr whether it was given a class-data-sharing archive).
 */
class LauncherCacheTest {
    @TempDir Path tmp;

    private static final String FAKE_JAVA = String.join("\n",
            "log=\"$FAKE_LOG\"",
            "case \" $* \" in *' -version '*) echo 'openjdk version \"17.0.9\" 2023-10-17' >&2; exit 0 ;; esac",
            "if [[ \" $* \" == *' dev.jbang.Main '* ]]; then",
            "  echo \"jbang $*\" >> \"$log\"",
            "  while [ \"$1\" != dev.jbang.Main ]; do shift; done; shift",
            "  opts=(); while [[ \"$1\" == -* ]]; do case \"$1\" in -R*) opts+=(\"${1#-R}\") ;; --runtime-option=*) opts+=(\"${1#*=}\") ;; esac; shift; done",
            "  ref=\"$1\"; shift",
            "  case \"$ref\" in *@*) ref=\"$(dirname \"${ref#*@}\")/scripts/Hello.java\" ;; esac",
            "  [ -f \"$ref\" ] || { echo \"[jbang] [ERROR] Script or alias could not be found or read: '$ref'\" >&2; exit 2; }",
            "  id=\"$(cat \"$ref\" \"$(dirname \"$ref\")/Kit.java\" | sha256sum | cut -c1-12)\"",
            "  mkdir -p \"$FAKE_BUILDS\" && { [ -e \"$FAKE_BUILDS/$id.jar\" ] || : > \"$FAKE_BUILDS/$id.jar\"; }",   // built once, then reused
            "  printf '%q ' \"$0\" \"${opts[@]}\" -classpath \"$FAKE_BUILDS/$id.jar\" Hello \"$@\"; echo",
            "  exit 255",
            "fi",
            "cds=none",
            "for a in \"$@\"; do case \"$a\" in",
            "  -XX:SharedArchiveFile=*) cds=used ;;",
            "  -XX:ArchiveClassesAtExit=*) echo \"dump $*\" >> \"$log\"; sleep \"${FAKE_DUMP_SECONDS:-0}\"; printf archive > \"${a#*=}\"; exit 0 ;;",
            "esac; done",
            "jvm=(); while [ \"$1\" != -classpath ]; do case \"$1\" in -XX:SharedArchiveFile=*|-Xshare:*|-Xlog:*) ;; *) jvm+=(\"$1\") ;; esac; shift; done",
            "build=\"$(basename \"$2\" .jar)\"; shift 3",
            "echo \"run $build ${jvm[*]}\" >> \"$log\"",
            "echo \"cds=$cds\" >&2",
            "printf 'build=%s launcher=%s args=' \"$build\" \"$SME2_LAUNCHER\"; printf '[%s]' \"$@\"; echo",
            "exit 3");

    private Path repo, bin, log, builds;

    /** A checkout with the real launcher, a stand-in jbang.jar, scripts/Hello.java (+ Kit.java) and a catalog alias. */
    private Path checkout() throws IOException {
        repo = Files.createDirectories(tmp.resolve("repo"));
        Files.copy(TestKit.repo().resolve("jbang"), repo.resolve("jbang"));
        repo.resolve("jbang").toFile().setExecutable(true);
        Files.createDirectories(repo.resolve(".jbang"));
        Files.writeString(repo.resolve(".jbang/jbang.jar"), "stand-in");
        Path scripts = Files.createDirectories(repo.resolve("scripts"));
        Files.writeString(scripts.resolve("Hello.java"), "//JAVA 17+\n//SOURCES Kit.java\nclass Hello {}\n");
        Files.writeString(scripts.resolve("Kit.java"), "class Kit {}\n");
        Files.writeString(repo.resolve("jbang-catalog.json"), "{\n  \"aliases\": {\n    \"hello\": {\"script-ref\": \"scripts/Hello.java\", \"description\": \"hi\"}\n  }\n}\n");
        bin = Files.createDirectories(tmp.resolve("bin"));
        for (String t : List.of("dirname", "basename", "cat", "mkdir", "mv", "rmdir", "env", "cp", "sed", "head", "cut", "mktemp", "rm",
                "grep", "sha256sum", "ls", "tail", "nice", "readlink", "sleep")) LauncherTest.link(bin, t);
        TestKit.fakeTool(bin, "java", FAKE_JAVA);
        log = tmp.resolve("calls.log");
        builds = tmp.resolve("builds");
        return repo;
    }

    /** A background archive still being made would write into the folder JUnit deletes: wait for it (at most 20 s). */
    @AfterEach
    void backgroundArchivesFinish() throws Exception {
        Path dir = repo == null ? null : repo.resolve(".jbang/launch");
        for (int i = 0; i < 200 && dir != null && Files.isDirectory(dir); i++) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.filter(p -> p.toString().endsWith(".cds")).allMatch(p -> Files.exists(Path.of(p.toString().replaceAll("\\.cds$", ".jsa"))))) return;
            }
            Thread.sleep(100);
        }
    }

    private TestKit.Run launch(Path dir, String... args) { return launch(dir, Map.of(), args); }

    private TestKit.Run launch(Path dir, Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", bin.toString(), "JAVA_HOME", "", "HOME", tmp.toString(),
                "FAKE_LOG", log.toString(), "FAKE_BUILDS", builds.toString()));
        env.putAll(extraEnv);
        List<String> argv = new ArrayList<>(List.of("/bin/bash", repo.resolve("jbang").toString()));
        argv.addAll(List.of(args));
        return TestKit.process(dir, env, List.of(), Duration.ofMinutes(1), argv.toArray(String[]::new));
    }

    private long jbangCalls() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith("jbang ")).count() : 0;
    }

    private List<Path> entries() throws IOException {
        Path dir = repo.resolve(".jbang/launch");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) { return s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).sorted().toList(); }
    }

    /** Waits for the background class-data-sharing dump (of the one entry that has one) to finish: it appears by rename. */
    private Path archive() throws Exception {
        List<Path> dumped = new ArrayList<>();
        for (Path e : entries()) if (Files.isDirectory(Path.of(e + ".cds"))) dumped.add(e);
        assertEquals(1, dumped.size(), "one entry is being archived: " + entries());
        Path jsa = Path.of(dumped.get(0) + ".jsa");
        for (int i = 0; i < 100 && !Files.exists(jsa); i++) Thread.sleep(100);
        return jsa;
    }

    @Test
    void aSecondRunExecsTheStoredCommandWithoutJbangAndKeepsOutputExitCodeAndLauncher() throws Exception {
        checkout();
        String[] args = {"scripts/Hello.java", "--help", "a b", "c'd", "", "$HOME", "line\nbreak", "*"};
        TestKit.Run first = launch(repo, args);
        assertEquals(1, jbangCalls());
        assertEquals(3, first.code(), first.toString());
        assertEquals("cds=none\n", first.err());
        assertTrue(first.out().matches("build=\\w{12} launcher=\\./jbang args=\\[--help]\\[a b]\\[c'd]\\[]\\[\\$HOME]\\[line\nbreak]\\[\\*]\n"), first.out());
        assertEquals(1, entries().size());
        archive();
        TestKit.Run second = launch(repo, args);
        assertEquals(1, jbangCalls(), "a hit does not start JBang: " + Files.readString(log));
        assertEquals(3, second.code(), second.toString());
        assertEquals(first.out(), second.out());
        assertEquals("cds=used\n", second.err());
        // The same script typed another way, from another folder: the same entry, SME2_LAUNCHER as typed there.
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        TestKit.Run fromElsewhere = launch(elsewhere, repo.resolve("scripts/Hello.java").toString(), "x");
        assertEquals(1, jbangCalls());
        assertTrue(fromElsewhere.out().endsWith(" launcher=" + repo.resolve("jbang") + " args=[x]\n"), fromElsewhere.out());
        assertEquals(1, entries().size());
    }

    @Test
    void editingTheScriptOrKitIsAMissAndRunsTheNewBuildNeverAStaleOne() throws Exception {
        checkout();
        String before = launch(repo, "scripts/Hello.java").out();
        assertEquals(before, launch(repo, "scripts/Hello.java").out());
        assertEquals(1, jbangCalls());
        Files.writeString(repo.resolve("scripts/Kit.java"), "class Kit { int edited; }\n");
        String afterKit = launch(repo, "scripts/Hello.java").out();
        assertEquals(2, jbangCalls(), "an edit of a //SOURCES file must ask JBang again");
        assertNotEquals(before, afterKit);
        assertEquals(afterKit, launch(repo, "scripts/Hello.java").out());
        assertEquals(2, jbangCalls());
        Files.writeString(repo.resolve("scripts/Hello.java"), "//JAVA 17+\n//SOURCES Kit.java\nclass Hello { int edited; }\n");
        String afterScript = launch(repo, "scripts/Hello.java").out();
        assertEquals(3, jbangCalls(), "an edit of the script must ask JBang again");
        assertNotEquals(afterKit, afterScript);
        // Back to the first contents: the first entry (and its build) again.
        Files.writeString(repo.resolve("scripts/Kit.java"), "class Kit {}\n");
        Files.writeString(repo.resolve("scripts/Hello.java"), "//JAVA 17+\n//SOURCES Kit.java\nclass Hello {}\n");
        assertEquals(before, launch(repo, "scripts/Hello.java").out());
        assertEquals(3, jbangCalls());
    }

    @Test
    void theCatalogAliasIsCachedFromAnyFolderAndACatalogEditIsAMiss() throws Exception {
        checkout();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        String first = launch(elsewhere, "hello", "--help").out();
        assertTrue(first.contains("args=[--help]"), first);
        assertEquals(first, launch(elsewhere, "hello", "--help").out());
        assertEquals(1, jbangCalls());
        assertTrue(Files.readString(log).contains("hello@" + repo.resolve("jbang-catalog.json")), Files.readString(log));
        Files.writeString(repo.resolve("jbang-catalog.json"), Files.readString(repo.resolve("jbang-catalog.json")).replace("\"hi\"", "\"hello\""));
        launch(elsewhere, "hello", "--help");
        assertEquals(2, jbangCalls());
    }

    @Test
    void aDamagedForeignOrOutdatedEntryIsIgnoredAndReplaced() throws Exception {
        checkout();
        String good = launch(repo, "scripts/Hello.java", "x").out();
        Path entry = entries().get(0);
        byte[] stored = Files.readAllBytes(entry);
        String key = entry.getFileName().toString();
        // A key that is not ours (a file of that name with other contents), an entry cut short, and one for another key.
        List<byte[]> bad = List.of(
                "#!/bin/sh\necho pwned\n".getBytes(),
                java.util.Arrays.copyOf(stored, stored.length - 10),
                new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1).replace(key, key.replace(key.charAt(0), key.charAt(0) == 'a' ? 'b' : 'a'))
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                new byte[0]);
        long calls = jbangCalls();
        for (byte[] b : bad) {
            Files.write(entry, b);
            TestKit.Run r = launch(repo, "scripts/Hello.java", "x");
            assertEquals(good, r.out(), r.toString());
            assertEquals(++calls, jbangCalls(), "a bad entry must not be used");
            assertArrayEquals(stored, Files.readAllBytes(entry), "the entry is written again");
        }
        // The build it names is gone (a cleared JBang cache): JBang again, never a java that cannot start.
        try (Stream<Path> s = Files.list(builds)) { for (Path p : s.toList()) Files.delete(p); }
        assertEquals(good, launch(repo, "scripts/Hello.java", "x").out());
        assertEquals(++calls, jbangCalls());
        assertEquals(good, launch(repo, "scripts/Hello.java", "x").out());
        assertEquals(calls, jbangCalls());
    }

    @Test
    void concurrentFirstRunsAllSucceedAndLeaveOneCompleteEntry() throws Exception {
        checkout();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<TestKit.Run>> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String arg = "n" + i;
                runs.add(pool.submit(() -> launch(repo, "scripts/Hello.java", arg)));
            }
            for (int i = 0; i < 6; i++) {
                TestKit.Run r = runs.get(i).get();
                assertEquals(3, r.code(), r.toString());
                assertTrue(r.out().endsWith("args=[n" + i + "]\n"), r.out());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, entries().size());
        archive();
        try (Stream<Path> s = Files.list(repo.resolve(".jbang/launch"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().noneMatch(n -> n.startsWith(".tmp")), "no temporary file left: " + names);
        }
        long dumps = Files.readAllLines(log).stream().filter(l -> l.startsWith("dump ")).count();
        assertEquals(1, dumps, "the class-data archive is made once: " + Files.readString(log));
        long calls = jbangCalls();
        launch(repo, "scripts/Hello.java", "again");
        assertEquals(calls, jbangCalls());
    }

    @Test
    void onlyThisCheckoutsScriptsGetAClassDataArchiveAndOnlyOnceItIsComplete() throws Exception {
        checkout();
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.copy(repo.resolve("scripts/Hello.java"), other.resolve("Hello.java"));
        Files.copy(repo.resolve("scripts/Kit.java"), other.resolve("Kit.java"));
        launch(other, "Hello.java");
        assertEquals("cds=none\n", launch(other, "Hello.java").err());
        assertFalse(Files.readString(log).contains("dump "), "a script outside scripts/ is never run for an archive");
        // Ours: the first runs while the archive is being made (slowly here) go without it, then it is used.
        TestKit.Run first = launch(repo, Map.of("FAKE_DUMP_SECONDS", "2"), "scripts/Hello.java");
        assertEquals("cds=none\n", first.err(), first.toString());
        TestKit.Run during = launch(repo, "scripts/Hello.java");
        assertEquals("cds=none\n", during.err(), "no half-written archive: " + during);
        assertTrue(Files.exists(archive()));
        assertEquals("cds=used\n", launch(repo, "scripts/Hello.java").err());
    }

    @Test
    void aBuildRebuiltInPlaceAfterTheArchiveGetsANewArchive() throws Exception {
        checkout();
        launch(repo, "scripts/Hello.java");
        Path jsa = archive();
        assertEquals("cds=used\n", launch(repo, "scripts/Hello.java").err());
        // JBang rebuilt the jar in place (`--fresh`): the archive is older than the build, the JVM would not use it.
        Files.setLastModifiedTime(jsa, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        assertEquals("cds=none\n", launch(repo, "scripts/Hello.java").err());
        archive();
        assertEquals(2, Files.readAllLines(log).stream().filter(l -> l.startsWith("dump ")).count(), Files.readString(log));
        assertEquals("cds=used\n", launch(repo, "scripts/Hello.java").err());
        assertEquals(1, jbangCalls());
    }

    @Test
    void aDamagedClassDataArchiveIsIgnoredSilentlyByTheJvm() throws Exception {
        Path jsa = Files.writeString(tmp.resolve("broken.jsa"), "not an archive");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The options the launcher adds on a hit.
        TestKit.Run r = TestKit.process(tmp, Map.of(), List.of(), Duration.ofMinutes(1), javaBin, "-XX:SharedArchiveFile=" + jsa, "-Xshare:auto",
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-version");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.out());
        assertTrue(r.err().contains("version \""), r.err());
        assertFalse(r.err().toLowerCase(java.util.Locale.ROOT).contains("warning"), r.err());
    }

    @Test
    void jbangOptionsGlobsAtFilesAndTheOffSwitchAlwaysAskJbang() throws Exception {
        checkout();
        Files.writeString(repo.resolve("scripts/Globbed.java"), "//SOURCES *.java\nclass Globbed {}\n");
        Files.writeString(repo.resolve("scripts/Snapshot.java"), "//DEPS com.example:lib:1.0-SNAPSHOT\n//SOURCES Kit.java\nclass Snapshot {}\n");
        List<List<String>> uncached = List.of(List.of("--fresh", "scripts/Hello.java"), List.of("scripts/Globbed.java"),
                List.of("scripts/Snapshot.java"), List.of("scripts/Hello.java", "@args.txt"));
        long calls = 0;
        for (List<String> args : uncached) {
            for (int i = 0; i < 2; i++) {
                launch(repo, args.toArray(String[]::new));
                assertEquals(++calls, jbangCalls(), "JBang must be asked every time for " + args);
            }
        }
        for (int i = 0; i < 2; i++) {
            launch(repo, Map.of("SME2_LAUNCH_CACHE", "0"), "scripts/Hello.java");
            assertEquals(++calls, jbangCalls(), "SME2_LAUNCH_CACHE=0 turns the cache off");
        }
        assertEquals(List.of(), entries());
        // --quiet (what the tests and agents pass) changes JBang's messages, not the command: cached.
        launch(repo, "--quiet", "scripts/Hello.java");
        launch(repo, "--quiet", "scripts/Hello.java");
        assertEquals(++calls, jbangCalls());
    }

    @Test
    void jbangsEnvironmentIsPartOfTheKeyExceptWhatTheLauncherSetsItself() throws Exception {
        checkout();
        launch(repo, "scripts/Hello.java");
        // A script that starts another through ./jbang passes on the variables this launcher exported: the same entry.
        launch(repo, Map.of("JBANG_RUNTIME_SHELL", "bash", "JBANG_LAUNCH_CMD", repo.resolve("jbang").toString(), "JBANG_STDIN_NOTTY", "true"), "scripts/Hello.java");
        assertEquals(1, jbangCalls());
        // JBang's own settings (another cache folder, another default Java) are another key.
        launch(repo, Map.of("JBANG_CACHE_DIR", tmp.resolve("other-cache").toString()), "scripts/Hello.java");
        assertEquals(2, jbangCalls());
        launch(repo, Map.of("JAVA_HOME", tmp.resolve("no-such-jdk").toString()), "scripts/Hello.java");
        assertEquals(3, jbangCalls());
    }

    @Test
    void javaOptionsGivenWithDashRArePartOfTheKeyAndOfTheStoredCommand() throws Exception {
        checkout();
        for (int i = 0; i < 2; i++) launch(repo, "--quiet", "-R-Xmx64m", "scripts/Hello.java", "x");
        assertEquals(1, jbangCalls());
        for (int i = 0; i < 2; i++) launch(repo, "-R-Xmx64m", "--runtime-option=-Dk=v w", "scripts/Hello.java", "x");
        assertEquals(2, jbangCalls());
        launch(repo, "scripts/Hello.java", "x");
        assertEquals(3, jbangCalls());
        List<String> runs = Files.readAllLines(log).stream().filter(l -> l.startsWith("run ")).map(l -> l.substring(l.indexOf(' ', 4) + 1)).toList();
        assertEquals(List.of("-Xmx64m", "-Xmx64m", "-Xmx64m -Dk=v w", "-Xmx64m -Dk=v w", ""), runs, Files.readString(log));
        // A JBang option with a separate value is not parsed here: JBang every time.
        launch(repo, "-R", "-Xmx64m", "scripts/Hello.java");
        launch(repo, "-R", "-Xmx64m", "scripts/Hello.java");
        assertEquals(5, jbangCalls());
    }

    @Test
    void anInstalledJbangOnPathIsUsedAsItIsWithoutTheCache() throws Exception {
        checkout();
        TestKit.fakeTool(bin, "jbang", "echo \"installed jbang: $*\"");
        for (int i = 0; i < 2; i++) {
            TestKit.Run r = launch(repo, "scripts/Hello.java", "x");
            assertEquals("installed jbang: scripts/Hello.java x\n", r.out(), r.toString());
        }
        assertEquals(0, jbangCalls());
        assertFalse(Files.exists(repo.resolve(".jbang/launch")), "the cache is this launcher's own, not an installed jbang's");
    }

    /** test-cases/StartupBenchmark.java against a checkout whose launcher answers --help in about `seconds`. */
    private TestKit.Run startupBenchmark(String seconds) throws IOException {
        Path fake = Files.createDirectories(tmp.resolve("bench-" + seconds));
        Files.createDirectories(fake.resolve("scripts"));
        Files.writeString(fake.resolve("scripts/Tool.java"), "class Tool { public static void main(String[] a) {} }\n");
        Files.writeString(fake.resolve("scripts/Kit.java"), "class Kit {}\n");
        Files.writeString(fake.resolve("jbang-catalog.json"), "{\"aliases\": {\"tool\": {\"script-ref\": \"scripts/Tool.java\"}}}\n");
        TestKit.fakeTool(fake, "jbang", "echo \"$*\" >> '" + fake.resolve("calls.txt") + "'; sleep " + seconds);
        return TestKit.process(TestKit.repo(), Map.of("NO_COLOR", "1"), List.of(), Duration.ofMinutes(5), TestKit.repo().resolve("jbang").toString(),
                "--quiet", "test-cases/StartupBenchmark.java", "--repo", fake.toString(), "--rounds", "3");
    }

    @Test
    void theStartupBenchmarkTimesEveryScriptAndAliasAndExitsNonZeroWhenTheGoalIsMissed() throws Exception {
        TestKit.Run fast = startupBenchmark("0");
        assertEquals(0, fast.code(), fast.toString());
        assertTrue(fast.out().contains("goal: every command's median <= 0.6 s: met"), fast.out());
        assertTrue(fast.out().matches("(?s).*\\nscripts/Tool.java +\\d\\.\\d{3} s +\\d\\.\\d{3}-\\d\\.\\d{3} s\\ntool +.*"), fast.out());
        assertEquals(2 * 5, Files.readAllLines(tmp.resolve("bench-0/calls.txt")).size(), "2 warm-up runs + 3 rounds, for the script and its alias");
        assertTrue(Files.readAllLines(tmp.resolve("bench-0/calls.txt")).containsAll(List.of("scripts/Tool.java --help", "tool --help")));
        TestKit.Run slow = startupBenchmark("0.7");
        assertEquals(1, slow.code(), slow.toString());
        assertTrue(slow.out().contains("goal: every command's median <= 0.6 s: MISSED"), slow.out());
    }

    @Test
    void aRealScriptsHelpIsByteIdenticalThroughTheCacheAndWithoutIt() {
        Map<String, String> env = Map.of("NO_COLOR", "1");
        String[] argv = {TestKit.repo().resolve("jbang").toString(), "scripts/ValidateResults.java", "--help"};
        TestKit.Run off = TestKit.process(TestKit.repo(), Map.of("NO_COLOR", "1", "SME2_LAUNCH_CACHE", "0"), List.of(), Duration.ofMinutes(5), argv);
        TestKit.Run miss = TestKit.process(TestKit.repo(), env, List.of(), Duration.ofMinutes(5), argv);
        TestKit.Run hit = TestKit.process(TestKit.repo(), env, List.of(), Duration.ofMinutes(5), argv);
        assertEquals(0, off.code(), off.toString());
        assertTrue(off.out().contains("Usage:"), off.out());
        for (TestKit.Run r : List.of(miss, hit)) {
            assertEquals(off.code(), r.code(), r.toString());
            assertEquals(off.out(), r.out());
            assertEquals(off.err(), r.err());
        }
    }
}
