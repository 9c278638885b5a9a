import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** Shared test support: repository paths, shared fixtures, in-process and real-process script runs, fake tools. */
public final class TestKit {
    private TestKit() {}

    /** The repository root (the folder with jbang-catalog.json), found upwards from the working folder. */
    /**
     * A Ctrl-C test sends SIGINT to a child JVM. A process started with `&` by a non-interactive shell ignores SIGINT, and
     * its children inherit that: the JVM then never sees the signal, so the test would fail for a reason that is not the
     * code's. Such a run skips with the reason instead (in a terminal and on CI, SIGINT is delivered and the test runs).
     */
    public static void assumeSigintIsDelivered() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return;   // no /proc (macOS): SIGINT is not known to be ignored
        for (String line : Files.readAllLines(status)) {
            if (!line.startsWith("SigIgn:")) continue;
            long ignored = Long.parseUnsignedLong(line.substring(7).trim(), 16);
            Assumptions.assumeTrue((ignored & (1L << (2 - 1))) == 0, "SIGINT is ignored in this process (the suite was started in the"
                    + " background by a non-interactive shell, e.g. with `&`), so a Ctrl-C cannot be tested here: run it in the foreground");
        }
    }

    public static Path repo() {
        String prop = System.getProperty("sme2.repo");
        if (prop != null) return Path.of(prop).toAbsolutePath();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("jbang-catalog.json")) && Files.isDirectory(p.resolve("scripts"))) return p;
        }
        throw new IllegalStateException("run the tests from inside the repository");
    }

    public static Path script(String name) { return repo().resolve("scripts").resolve(name); }

    /** A file shipped in test-cases/fixtures/ (files made for this project; always present). */
    public static Path shipped(String rel) { return repo().resolve("test-cases/fixtures").resolve(rel); }

    /** A file in ../shared/fixtures/ (third-party fixtures never committed); the test is skipped when it is absent. */
    public static Path shared(String rel) {
        Path base = sharedDir();
        Assumptions.assumeTrue(base != null, "../shared/fixtures/ is absent (third-party fixtures are not shipped), skipping");
        Path p = base.resolve(rel);
        Assumptions.assumeTrue(Files.exists(p), "shared fixture " + rel + " is absent, skipping");
        return p;
    }

    public static Path sharedDir() {
        String env = System.getenv("SME2_SHARED_FIXTURES");
        Path p = env != null ? Path.of(env) : repo().getParent().resolve("shared/fixtures");
        return Files.isDirectory(p) ? p : null;
    }

    /** What a script run printed and returned. */
    public record Run(int code, String out, String err) {
        public String all() { return out + err; }

        @Override
        public String toString() { return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err; }
    }

    /** Runs a script's static run(PrintStream, PrintStream, String...) in-process. */
    public static Run inProcess(BiFunction<PrintStream, PrintStream, Integer> call) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8); PrintStream err = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = call.apply(out, err);
        }
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** Runs a real process (argument list) in dir with extra environment; PATH entries in pathFirst come first. */
    public static Run process(Path dir, Map<String, String> env, List<Path> pathFirst, Duration timeout, String... argv) {
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
            Map<String, String> e = pb.environment();
            e.putAll(env);
            if (!pathFirst.isEmpty()) {
                List<String> parts = new ArrayList<>();
                pathFirst.forEach(p -> parts.add(p.toString()));
                parts.add(e.getOrDefault("PATH", "/usr/bin:/bin"));
                e.put("PATH", String.join(":", parts));
            }
            Path out = Files.createTempFile("run-out", ".txt"), err = Files.createTempFile("run-err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", argv) + "\n" + Files.readString(err));
            }
            Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** Runs `./jbang ARGS` from the repository root as a real process (the way users run scripts). */
    public static Run jbang(Path dir, Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(repo().resolve("jbang").toString());
        argv.add("--quiet");
        argv.addAll(List.of(args));
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("NO_COLOR", "1");
        return process(dir, e, List.of(), Duration.ofMinutes(5), argv.toArray(String[]::new));
    }

    /** Starts `./jbang MacPipeline.java CONFIG --no-analysis --workspace WS` as a real process (for signals), output to files. */
    public static Process startMacPipeline(Path ws, Path out, Path err, Path config) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(repo().resolve("jbang").toString(), "--quiet", script("MacPipeline.java").toString(),
                config.toString(), "--no-analysis", "--workspace", ws.toString()).directory(ws.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("NO_COLOR", "1");
        return pb.start();
    }

    /** Writes an executable shell script (a fake tool) named name into dir. */
    public static Path fakeTool(Path dir, String name, String bashBody) {
        try {
            Files.createDirectories(dir);
            Path p = dir.resolve(name);
            Files.writeString(p, "#!/bin/bash\n" + bashBody + "\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** The run folders a pipeline wrote under outputRoot, sorted (empty when there is none). */
    public static List<Path> runFolders(Path outputRoot) {
        if (!Files.isDirectory(outputRoot)) return List.of();
        try (java.util.stream.Stream<Path> s = Files.list(outputRoot)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The one run folder under outputRoot (fails when there are none or several). */
    public static Path onlyRunFolder(Path outputRoot) {
        List<Path> f = runFolders(outputRoot);
        org.junit.jupiter.api.Assertions.assertEquals(1, f.size(), f.toString());
        return f.get(0);
    }

    /** The manifest result entry of experiment × threads. */
    public static com.fasterxml.jackson.databind.JsonNode entry(com.fasterxml.jackson.databind.JsonNode manifest, String exp, int threads) {
        for (var r : manifest.get("results")) if (r.get("experiment").asText().equals(exp) && r.get("threads").asInt() == threads) return r;
        throw new AssertionError("no result " + exp + "/t" + threads);
    }

    /** Field names (e.g. JsonNode.fieldNames()) in order. */
    public static List<String> names(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** A JSON array's elements as text. */
    public static List<String> texts(com.fasterxml.jackson.databind.JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A JSON array of numbers as doubles. */
    public static List<Double> doubles(com.fasterxml.jackson.databind.JsonNode arr) {
        List<Double> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asDouble()));
        return out;
    }
}
