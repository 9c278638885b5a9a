//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;
import org.zeroturnaround.exec.stream.LogOutputStream;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The one shared helper of the sme2-executorch-profiling scripts: console output, processes, JSON, user errors,
 * workspace paths and the config loader. A script that is downloaded alone needs only this file beside it.
 */
public final class Kit {
    public static final int OK = 0, FAILED = 1, USAGE = 2;
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Kit() {}

    // ---------------------------------------------------------------- errors

    /** An error the user can fix: one line, a fix hint, exit code 2 (bad input) or 1 (a check or run failed). */
    public static final class UserError extends RuntimeException {
        public final String fix;
        public final int exitCode;

        public UserError(int exitCode, String message, String fix) {
            super(message);
            this.exitCode = exitCode;
            this.fix = fix;
        }

        public static UserError badInput(String message, String fix) { return new UserError(USAGE, message, fix); }

        public static UserError failed(String message, String fix) { return new UserError(FAILED, message, fix); }
    }

    // ---------------------------------------------------------------- console

    /** Where a script writes: stdout for data, stderr for progress. Colours only on a terminal and without NO_COLOR. */
    public static final class Io {
        public final PrintStream out, err;
        public final boolean color;
        public boolean json, dryRun, verbose;
        public final List<List<String>> plannedCommands = new ArrayList<>();

        public Io(PrintStream out, PrintStream err) {
            this(out, err, System.getenv("NO_COLOR") == null && System.console() != null && err == System.err);
        }

        public Io(PrintStream out, PrintStream err, boolean color) {
            this.out = out;
            this.err = err;
            this.color = color;
        }

        public static Io system() { return new Io(System.out, System.err); }

        String paint(String code, String text) { return color ? "\u001b[" + code + "m" + text + "\u001b[0m" : text; }

        public void step(String title) { err.println(paint("1;36", "==> " + title)); }

        public void info(String line) { err.println("    " + line); }

        public void ok(String line) { err.println(paint("32", "[ok]   ") + line); }

        public void warn(String line) { err.println(paint("33", "[warn] ") + line); }

        public void fail(String line) { err.println(paint("31", "[fail] ") + line); }

        public void fix(String line) { err.println("       fix: " + line); }

        /** Prints a result: pretty JSON on stdout under --json. */
        public void data(Object value) {
            try {
                out.println(JSON.writeValueAsString(value));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Runs a picocli command with the project's conventions: a user error prints one line and its fix (no stack
     * trace) and returns its exit code; bad options return 2 with a hint to --help.
     */
    public static int run(Io io, Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new java.io.PrintWriter(io.out, true));
        cl.setErr(new java.io.PrintWriter(io.err, true));
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(io.color ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        cl.setParameterExceptionHandler((ex, a) -> {
            io.err.println("error: " + ex.getMessage());
            io.err.println("fix: see the options and examples with: " + ex.getCommandLine().getCommandName() + " --help");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UserError ue) {
                io.err.println(io.paint("31", "error: ") + ue.getMessage());
                if (ue.fix != null && !ue.fix.isBlank()) io.err.println("fix: " + ue.fix);
                return ue.exitCode;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    // ---------------------------------------------------------------- processes

    /** One process to run: an argument list, never a shell string. */
    public record Cmd(List<String> argv, Path dir, Map<String, String> env, Duration timeout, Path log, Path stderrLog,
                      boolean echo) {
        public static Cmd of(List<String> argv) { return new Cmd(List.copyOf(argv), null, Map.of(), null, null, null, false); }

        public static Cmd of(String... argv) { return of(List.of(argv)); }

        public Cmd in(Path d) { return new Cmd(argv, d, env, timeout, log, stderrLog, echo); }

        public Cmd env(Map<String, String> e) { return new Cmd(argv, dir, Map.copyOf(e), timeout, log, stderrLog, echo); }

        public Cmd timeout(Duration t) { return new Cmd(argv, dir, env, t, log, stderrLog, echo); }

        /** Tee all output to this file (stdout and stderr, interleaved as they arrive). */
        public Cmd log(Path l) { return new Cmd(argv, dir, env, timeout, l, stderrLog, echo); }

        /** Also keep stderr alone in this file. */
        public Cmd stderrLog(Path l) { return new Cmd(argv, dir, env, timeout, log, l, echo); }

        /** Show output live on stderr while it runs. */
        public Cmd echo(boolean e) { return new Cmd(argv, dir, env, timeout, log, stderrLog, e); }

        public String display() { return String.join(" ", argv.stream().map(Kit::shq).toList()); }
    }

    /** What a process did. exitCode is -1 when it could not start, 128+N when killed by signal N. */
    public record Result(int exitCode, boolean timedOut, String output, String stderr, long millis, String startError) {
        public boolean ok() { return exitCode == 0 && !timedOut && startError == null; }
    }

    /** Runs a command; under --dry-run prints it (stdout) and runs nothing. Output kept in memory is capped at 4 MB. */
    public static Result exec(Io io, Cmd cmd) {
        if (io.dryRun) {
            io.plannedCommands.add(cmd.argv());
            if (!io.json) io.out.println((cmd.dir() != null ? "(cd " + shq(cmd.dir().toString()) + ") " : "") + cmd.display());
            return new Result(0, false, "", "", 0, null);
        }
        if (io.verbose) io.info("$ " + cmd.display());
        long t0 = System.nanoTime();
        StringBuilder all = new StringBuilder(), errOnly = new StringBuilder();
        try (Writer log = cmd.log() == null ? Writer.nullWriter() : open(cmd.log());
             Writer elog = cmd.stderrLog() == null ? Writer.nullWriter() : open(cmd.stderrLog())) {
            ProcessExecutor pe = new ProcessExecutor().command(cmd.argv()).destroyOnExit()
                    .redirectOutput(lines(io, cmd, all, null, log, null))
                    .redirectError(lines(io, cmd, all, errOnly, log, elog));
            if (cmd.dir() != null) pe.directory(cmd.dir().toFile());
            if (!cmd.env().isEmpty()) pe.environment(cmd.env());
            if (cmd.timeout() != null) pe.timeout(cmd.timeout().toMillis(), TimeUnit.MILLISECONDS);
            ProcessResult r = pe.execute();
            return new Result(r.getExitValue(), false, all.toString(), errOnly.toString(), ms(t0), null);
        } catch (TimeoutException e) {
            return new Result(-1, true, all.toString(), errOnly.toString(), ms(t0), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, false, all.toString(), errOnly.toString(), ms(t0), "interrupted");
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            return new Result(-1, false, all.toString(), errOnly.toString(), ms(t0), why);
        }
    }

    private static long ms(long t0) { return (System.nanoTime() - t0) / 1_000_000; }

    private static Writer open(Path p) throws IOException {
        if (p.getParent() != null) Files.createDirectories(p.getParent());
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    }

    private static LogOutputStream lines(Io io, Cmd cmd, StringBuilder all, StringBuilder errOnly, Writer log, Writer elog) {
        return new LogOutputStream() {
            @Override
            protected void processLine(String line) {
                synchronized (all) {
                    if (all.length() < 4_000_000) all.append(line).append('\n');
                    if (errOnly != null && errOnly.length() < 4_000_000) errOnly.append(line).append('\n');
                    try {
                        log.write(line + "\n");
                        log.flush();
                        if (elog != null) elog.write(line + "\n");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    if (cmd.echo()) io.err.println("    | " + line);
                }
            }
        };
    }

    /** Runs a command and returns its trimmed output, or null when it is missing or fails. For version probes. */
    public static String probe(String... argv) {
        Result r = exec(new Io(new PrintStream(java.io.OutputStream.nullOutputStream()), new PrintStream(java.io.OutputStream.nullOutputStream()), false),
                Cmd.of(argv).timeout(Duration.ofSeconds(20)));
        return r.ok() ? r.output().trim() : null;
    }

    /** Quotes one word for a POSIX shell (also what reaches `adb shell`): safe for spaces, quotes, $(), ; and newlines. */
    public static String shq(String s) {
        if (!s.isEmpty() && SAFE_WORD.matcher(s).matches()) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static final Pattern SAFE_WORD = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    // ---------------------------------------------------------------- JSON

    /** Reads a JSON file; a syntax error becomes a user error naming file, line and column. */
    public static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) throw UserError.badInput(file + ": file not found", "check the path");
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
            throw UserError.badInput(file + where + ": invalid JSON: " + e.getOriginalMessage().split("\n")[0],
                    "fix the JSON syntax at that line and column");
        } catch (IOException e) {
            throw UserError.badInput(file + ": cannot read: " + e.getMessage(), "check the file permissions");
        }
    }

    /** Writes JSON atomically: a temporary file beside the target, then a rename. */
    public static void writeJson(Path file, Object value) {
        try {
            writeAtomic(file, JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void writeAtomic(Path file, byte[] bytes) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw UserError.failed("cannot write " + file + ": " + e.getMessage(), "check free disk space and permissions");
        }
    }

    public static void writeAtomic(Path file, String text) { writeAtomic(file, text.getBytes(StandardCharsets.UTF_8)); }

    public static ObjectNode object() { return JSON.createObjectNode(); }

    // ---------------------------------------------------------------- workspace

    /**
     * The workspace: the folder holding `executorch/` (the ExecuTorch checkout), `.venv/` (its Python) and `runs/`
     * (pipeline results). Found from --workspace, else $SME2_WORKSPACE, else the nearest folder upwards from the
     * current one that has `executorch/` or `.venv/`, else the current folder.
     */
    public record Workspace(Path root) {
        public Path executorch() { return root.resolve("executorch"); }

        public Path venv() { return root.resolve(".venv"); }

        public Path runs() { return root.resolve("runs"); }

        public Path models() { return root.resolve("models"); }

        public Path cmakeOut() { return executorch().resolve("cmake-out"); }

        public Path runner(String variant) { return cmakeOut().resolve(variant).resolve("executor_runner"); }

        public Path python() {
            Path unix = venv().resolve("bin").resolve("python");
            return Files.exists(unix) || !isWindows() ? unix : venv().resolve("Scripts").resolve("python.exe");
        }

        public static Workspace locate(Path explicit) {
            if (explicit != null) return new Workspace(explicit.toAbsolutePath().normalize());
            String env = System.getenv("SME2_WORKSPACE");
            if (env != null && !env.isBlank()) return new Workspace(Path.of(env).toAbsolutePath().normalize());
            Path cwd = Path.of("").toAbsolutePath();
            for (Path p = cwd; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("executorch")) || Files.isDirectory(p.resolve(".venv"))) return new Workspace(p);
            }
            return new Workspace(cwd);
        }
    }

    public static boolean isWindows() { return System.getProperty("os.name").toLowerCase().contains("win"); }

    public static boolean isMac() { return System.getProperty("os.name").toLowerCase().contains("mac"); }

    /** The ExecuTorch checkout's commit and dirty flag; sha is null when it is not a git checkout. */
    public record GitState(String sha, boolean dirty) {
        public static GitState of(Path repo) {
            if (!Files.isDirectory(repo)) return new GitState(null, false);
            String sha = probe("git", "-C", repo.toString(), "rev-parse", "HEAD");
            String status = probe("git", "-C", repo.toString(), "status", "--porcelain", "--untracked-files=no");
            return new GitState(sha, status != null && !status.isBlank());
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("present", sha != null);
            m.put("sha", sha);
            m.put("dirty", dirty);
            return m;
        }
    }

    // ---------------------------------------------------------------- config

    /** A validated profiling config. Relative paths in the file are resolved against the config file's folder. */
    public record Config(Path file, Path model, Path outputRoot, List<Experiment> experiments, List<ComparePair> comparePairs,
                         Device device, JsonNode raw) {
        public Experiment experiment(String name) {
            return experiments.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
        }
    }

    /** One experiment: a runner binary run `runs` times per thread count after `warmup` executions. */
    public record Experiment(String name, Path runnerPath, String mode, int runs, int warmup, List<Integer> threads,
                             List<String> extraArgs, String cpuAffinity, int timeoutS, Map<String, String> env) {}

    public record ExpRef(String experiment, int threads) {}

    public record ComparePair(ExpRef baseline, ExpRef candidate, String label) {}

    /** Android only: which device (serial or a HOST:PORT to `adb connect`) and the folder used on it. */
    public record Device(String serial, String remote, String workdir) {}

    public static final int DEFAULT_RUNS = 10, DEFAULT_WARMUP = 1, DEFAULT_TIMEOUT_S = 600;
    public static final String DEFAULT_DEVICE_WORKDIR = "/data/local/tmp/sme2-profiling";

    /** Loads and validates a config; every problem is reported at once in a bad-input error (exit 2). */
    public static Config loadConfig(Path file) {
        List<String> problems = configProblems(file);
        if (!problems.isEmpty()) {
            throw UserError.badInput(problems.size() == 1 ? problems.get(0)
                    : problems.size() + " problems in the config:\n  " + String.join("\n  ", problems),
                    "correct the fields named above (keys and types: configs/config.schema.json)");
        }
        return parseConfig(file, readJson(file));
    }

    /** Every problem in a config file, each as `FILE: $.path: what is wrong; fix`. Empty when it is valid. */
    public static List<String> configProblems(Path file) {
        JsonNode root = readJson(file);
        List<String> out = new ArrayList<>();
        if (!root.isObject()) out.add(file + ": $: expected a JSON object; start the file with {");
        else if (!root.hasNonNull("model")) out.add(file + ": $.model: missing; set it to the .pte file to profile");
        else if (!root.path("experiments").isArray() || root.path("experiments").isEmpty())
            out.add(file + ": $.experiments: missing or empty; add at least one experiment");
        return out;
    }

    private static Config parseConfig(Path file, JsonNode root) {
        Path dir = file.toAbsolutePath().getParent();
        List<Experiment> exps = new ArrayList<>();
        for (JsonNode e : root.path("experiments")) {
            List<Integer> threads = new ArrayList<>();
            e.path("threads").forEach(t -> threads.add(t.asInt()));
            if (threads.isEmpty()) threads.add(1);
            List<String> extra = new ArrayList<>();
            e.path("extra_args").forEach(a -> extra.add(a.asText()));
            Map<String, String> env = new LinkedHashMap<>();
            e.path("env").properties().forEach(f -> env.put(f.getKey(), f.getValue().asText()));
            exps.add(new Experiment(e.path("name").asText(), resolve(dir, e.path("runner_path").asText(null)),
                    e.path("mode").asText("timing"), e.path("runs").asInt(DEFAULT_RUNS), e.path("warmup").asInt(DEFAULT_WARMUP),
                    List.copyOf(threads), List.copyOf(extra), e.hasNonNull("cpu_affinity") ? e.get("cpu_affinity").asText() : null,
                    e.path("timeout_s").asInt(DEFAULT_TIMEOUT_S), env));
        }
        List<ComparePair> pairs = new ArrayList<>();
        for (JsonNode p : root.path("analysis").path("compare_pairs")) {
            pairs.add(new ComparePair(ref(p.path("baseline")), ref(p.path("candidate")), p.path("label").asText(null)));
        }
        JsonNode d = root.path("device");
        Device device = new Device(d.path("serial").asText(null), d.path("remote").asText(null),
                d.path("workdir").asText(DEFAULT_DEVICE_WORKDIR));
        Path outputRoot = root.hasNonNull("output_root") ? resolve(dir, root.get("output_root").asText())
                : Workspace.locate(null).runs();
        return new Config(file.toAbsolutePath(), resolve(dir, root.path("model").asText()), outputRoot, List.copyOf(exps),
                List.copyOf(pairs), device, root);
    }

    private static ExpRef ref(JsonNode n) { return new ExpRef(n.path("experiment").asText(), n.path("threads").asInt(1)); }

    private static Path resolve(Path dir, String p) {
        if (p == null) return null;
        String home = System.getProperty("user.home");
        if (p.equals("~") || p.startsWith("~/")) p = home + p.substring(1);
        return dir.resolve(p).normalize();
    }

    // ---------------------------------------------------------------- ETDump (the part pipelines and validators need)

    /** The blocks of an ETDump and, per Execute block, the Method::execute duration in ms (NaN when absent). */
    public record EtdumpRuns(List<String> blockNames, List<Double> executeMs) {}

    /**
     * Reads just enough of an ETDump (size-prefixed flatbuffer "ED00", ExecuTorch's etdump schema) to list its blocks
     * and the end-to-end time of each execution. Malformed input is a bad-input error naming the byte offset.
     */
    public static EtdumpRuns etdumpRuns(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw UserError.badInput(file + ": cannot read: " + e.getMessage(), "check that the ETDump exists");
        }
        Fb fb = new Fb(file, java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN));
        if (b.length < 12) throw fb.bad(0, "file is " + b.length + " bytes, too short for an ETDump");
        if (!"ED00".equals(new String(b, 8, 4, StandardCharsets.ISO_8859_1)))
            throw fb.bad(8, "identifier is not ED00 (not an ETDump" + ("ET12".equals(new String(b, 4, 4, StandardCharsets.ISO_8859_1)) ? "; this is a .pte program)" : ")"));
        long size = fb.u32(0);
        if (size != b.length - 4) throw fb.bad(0, "size prefix says " + size + " bytes but " + (b.length - 4) + " follow (truncated or padded file)");
        int root = fb.ref(4);
        List<String> names = new ArrayList<>();
        List<Double> exec = new ArrayList<>();
        int runs = fb.field(root, 1);
        for (int i = 0, n = runs == 0 ? 0 : fb.len(runs); i < n; i++) {
            int rd = fb.elem(runs, i);
            int nameAt = fb.field(rd, 0);
            String name = nameAt == 0 ? "" : fb.str(nameAt);
            names.add(name);
            if (!name.equals("Execute")) continue;
            double ms = Double.NaN;
            int evs = fb.field(rd, 3);
            for (int j = 0, m = evs == 0 ? 0 : fb.len(evs); j < m; j++) {
                int pe = fb.field(fb.elem(evs, j), 0);
                int pn = pe == 0 ? 0 : fb.field(pe, 0);
                if (pn != 0 && fb.str(pn).equals("Method::execute")) {
                    long start = fb.scalarAt(pe, 6), end = fb.scalarAt(pe, 7);
                    ms = (end - start) / 1e6;
                }
            }
            exec.add(ms);
        }
        return new EtdumpRuns(names, exec);
    }

    /** Bounds-checked flatbuffer access; every failure names the file and byte offset. */
    private record Fb(Path file, java.nio.ByteBuffer bb) {
        UserError bad(long at, String what) {
            return UserError.badInput(file + ": byte " + at + ": " + what, "re-run the profiling step that wrote this file");
        }

        int check(long at, int n) {
            if (at < 0 || at + n > bb.limit()) throw bad(at, "offset out of range (file is " + bb.limit() + " bytes; truncated or corrupt)");
            return (int) at;
        }

        long u32(long at) { return Integer.toUnsignedLong(bb.getInt(check(at, 4))); }

        int ref(long at) { return check(at + u32(at), 4); }

        int field(int table, int id) {
            int vt = check(table - (long) bb.getInt(check(table, 4)), 4);
            int vtLen = bb.getShort(vt) & 0xffff;
            if (4 + 2 * id + 2 > vtLen) return 0;
            int off = bb.getShort(check(vt + 4 + 2L * id, 2)) & 0xffff;
            return off == 0 ? 0 : ref(check((long) table + off, 4));
        }

        long scalarAt(int table, int id) {
            int vt = check(table - (long) bb.getInt(check(table, 4)), 4);
            int vtLen = bb.getShort(vt) & 0xffff;
            if (4 + 2 * id + 2 > vtLen) return 0;
            int off = bb.getShort(check(vt + 4 + 2L * id, 2)) & 0xffff;
            return off == 0 ? 0 : bb.getLong(check((long) table + off, 8));
        }

        int len(int vec) {
            long n = u32(vec);
            check(vec + 4L, (int) Math.min(Integer.MAX_VALUE, n * 4));
            return (int) n;
        }

        int elem(int vec, int i) { return ref(vec + 4L + 4L * i); }

        String str(int at) {
            int n = (int) Math.min(u32(at), Integer.MAX_VALUE);
            return new String(bb.array(), check(at + 4L, n), n, StandardCharsets.UTF_8);
        }
    }
}
