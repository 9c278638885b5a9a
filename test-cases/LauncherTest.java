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
        for (String t : List.of("dirname", "basename", "cat", "mkdir", "mv", "rmdir", "env", "cp")) link(bin, t);
        for (String t : tools) link(bin, t);
        return home;
    }

    /** Makes `tool` available in bin as a one-line wrapper around the real program (no symlinks to clean up). */
    private static void link(Path bin, String tool) throws IOException {
        Path real = tool.equals("java") ? Path.of(System.getProperty("java.home"), "bin", "java") : null;
        for (String dir : System.getenv("PATH").split(":")) {
            Path p = Path.of(dir, tool);
            if (real == null && Files.isExecutable(p)) real = p.toRealPath();
        }
        if (real != null && !Files.exists(bin.resolve(tool))) TestKit.fakeTool(bin, tool, "exec '" + real + "' \"$@\"");
    }

    private TestKit.Run launch(Path home, String... args) {
        String[] argv = new String[args.length + 2];
        argv[1] = home.resolve("jbang").toString();
        System.arraycopy(args, 0, argv, 2, args.length);
        argv[0] = Path.of("/bin/bash").toString();
        return TestKit.process(home, Map.of("PATH", tmp.resolve("bin").toString(), "JAVA_HOME", ""), List.of(),
                Duration.ofMinutes(2), argv);
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
}
