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
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The one shared helper of the sme2-executorch-profiling scripts: user errors, console output and checks, processes,
 * JSON, workspace paths, the config loader, the ETDump reader and the pipelines' run folder. A script downloaded alone
 * needs only this file beside it.
 */
public final class Kit {
    public static final int OK = 0, FAILED = 1, USAGE = 2;
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

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

        /** Output nowhere and never a dry run: for read-only probes. */
        public static Io quiet() {
            PrintStream none = new PrintStream(java.io.OutputStream.nullOutputStream());
            return new Io(none, none, false);
        }

        String paint(String code, String text) { return color ? "\u001b[" + code + "m" + text + "\u001b[0m" : text; }
        public void step(String title) { err.println(paint("1;36", "==> " + asTyped(title))); }
        public void info(String line) { err.println("    " + asTyped(line)); }
        public void ok(String line) { err.println(paint("32", "[ok]   ") + asTyped(line)); }
        public void warn(String line) { err.println(paint("33", "[warn] ") + asTyped(line)); }
        public void fail(String line) { err.println(paint("31", "[fail] ") + asTyped(line)); }
        public void fix(String line) { err.println("       fix: " + asTyped(line)); }

        /** Prints a result: pretty JSON on stdout under --json (its commands as the user types them, see asTyped). */
        public void data(Object value) { out.println(asTypedJson(json(value))); }
    }

    /** A duration as the scripts print it: "12.3 s", from two minutes on "4 min 05 s". */
    public static String duration(double s) {
        return s < 120 ? String.format(Locale.ROOT, "%.1f s", s) : String.format(Locale.ROOT, "%d min %02d s", (long) s / 60, (long) s % 60);
    }

    /** A validator's finding: status ok, warn, fail or skip; fix is null for ok and skip. */
    public record Check(String id, String status, String message, String fix) {}

    /** A validator's findings in order (list, for JSON); each is printed as it is added unless quiet. */
    public static final class Checks {
        public final List<Check> list = new ArrayList<>();
        public boolean quiet;
        private final Io io;

        public Checks(Io io) { this.io = io; }

        public void ok(String id, String message) { add(new Check(id, "ok", message, null)); }
        public void warn(String id, String message, String fix) { add(new Check(id, "warn", message, fix)); }
        public void fail(String id, String message, String fix) { add(new Check(id, "fail", message, fix)); }
        public void skip(String id, String message) { add(new Check(id, "skip", message, null)); }
        public long count(String status) { return list.stream().filter(c -> c.status().equals(status)).count(); }

        public void add(Check c) {
            list.add(c);
            if (quiet) return;
            switch (c.status()) {
                case "ok" -> io.ok(c.message());
                case "warn" -> io.warn(c.message());
                case "fail" -> io.fail(c.message());
                default -> io.info("skip: " + c.message());
            }
            if (c.fix() != null) io.fix(c.fix());
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
            io.err.println("fix: see the options and examples with: " + asTyped("jbang scripts/" + ex.getCommandLine().getCommandName() + ".java --help"));
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (!(ex instanceof UserError ue)) throw ex;
            io.err.println(io.paint("31", "error: ") + asTyped(ue.getMessage()));
            if (ue.fix != null && !ue.fix.isBlank()) io.err.println("fix: " + asTyped(ue.fix));
            return ue.exitCode;
        });
        typedHelp(cl, List.of(args).contains("--help") || List.of(args).contains("-h"));
        return cl.execute(args);
    }

    // ---------------------------------------------------------------- commands as the user types them

    /** Help width: wide enough that no example, option or value is broken across lines (HelpTest checks every script). */
    public static final int HELP_WIDTH = 120;

    /**
     * The launcher the user started the scripts with, as they typed it: the project's ./jbang exports SME2_LAUNCHER
     * ("./jbang", or the path used from another folder); without it, an installed "jbang". The system property
     * sme2.launcher overrides both (the tests set it).
     */
    public static String launcher() {
        String l = System.getProperty("sme2.launcher", System.getenv("SME2_LAUNCHER"));
        return l == null || l.isBlank() ? "jbang" : shq(l);
    }

    /** "jbang" starting a command that runs a .java file (not "./jbang", "/bin/jbang" or "jbang not found"). */
    private static final Pattern JBANG_COMMAND = Pattern.compile("(?<![\\w./'-])jbang (?=\\S+\\.java\\b)");

    /**
     * A line as the user can paste it: every "jbang X.java" command in it starts with launcher(). Applied where fix,
     * next-step and help lines are printed (Io, run's error handlers, --help), so the scripts keep writing "jbang".
     */
    public static String asTyped(String line) { return asTyped(line, launcher()); }

    private static String asTyped(String line, String l) {
        return line == null || l.equals("jbang") ? line : JBANG_COMMAND.matcher(line).replaceAll(java.util.regex.Matcher.quoteReplacement(l + " "));
    }

    /** asTyped inside JSON text: the launcher goes into JSON strings, so a quote or backslash in its path is escaped there. */
    static String asTypedJson(String json) {
        String l = launcher(), inString = l.replace("\\", "\\\\").replace("\"", "\\\"");
        return l.equals("jbang") ? json : asTyped(json, inString);
    }

    /** asTyped for a picocli format string (help description and footer): a "%" in the launcher's path stays a "%". */
    private static String asTypedFormat(String format) { return asTyped(format, launcher().replace("%", "%%")); }

    /**
     * --help that copies cleanly, with the launcher the user typed: examples (the footer) printed one per line as
     * written; the synopsis wrapped only between options; descriptions wrapped only at spaces (picocli also breaks
     * after "," and "." inside a value; the options are rebuilt for that, so only when help is asked).
     */
    private static void typedHelp(CommandLine cl, boolean helpAsked) {
        cl.setUsageHelpWidth(HELP_WIDTH);
        CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
        CommandLine.Model.UsageMessageSpec u = spec.usageMessage();
        u.footer(java.util.Arrays.stream(u.footer()).map(Kit::asTypedFormat).toArray(String[]::new));
        u.description(java.util.Arrays.stream(u.description()).flatMap(d -> wrapAtSpaces(asTypedFormat(d), HELP_WIDTH).stream()).toArray(String[]::new));
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
            StringBuilder out = new StringBuilder();
            for (String line : help.commandSpec().usageMessage().footer()) out.append(String.format(line)).append(System.lineSeparator());
            return out.toString();
        });
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS, help -> {
            u.width(100_000);
            String one = help.synopsis(help.synopsisHeadingLength()).strip();
            u.width(HELP_WIDTH);
            return wrapOutsideBrackets(one, HELP_WIDTH, "Usage: ".length(), " ".repeat("Usage: ".length() + spec.name().length() + 1));
        });
        for (CommandLine.Model.OptionSpec o : helpAsked ? new ArrayList<>(spec.options()) : List.<CommandLine.Model.OptionSpec>of()) {
            List<String> lines = new ArrayList<>();
            for (String d : o.description()) lines.addAll(wrapAtSpaces(d, HELP_WIDTH - 34));
            spec.remove(o);
            spec.addOption(o.toBuilder().description(lines.toArray(String[]::new)).build());
        }
    }

    /** Breaks text into lines of at most width characters, only at spaces. */
    static List<String> wrapAtSpaces(String text, int width) {
        if (text.length() <= width) return List.of(text);
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    /**
     * Breaks a synopsis only at spaces outside [] and (), continuing lines with indent, so that no printed line is longer
     * than lineWidth: the first after its firstPrefix characters ("Usage: "), the others after the indent.
     */
    static String wrapOutsideBrackets(String text, int lineWidth, int firstPrefix, String indent) {
        StringBuilder out = new StringBuilder(), line = new StringBuilder(), word = new StringBuilder();
        int depth = 0, width = lineWidth - firstPrefix;
        for (char c : (text + " ").toCharArray()) {
            if (c == '[' || c == '(') depth++;
            if (c == ']' || c == ')') depth--;
            if (c != ' ' || depth > 0) { word.append(c); continue; }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                out.append(line).append(System.lineSeparator()).append(indent);
                line.setLength(0);
                width = lineWidth - indent.length();
            }
            line.append(line.length() > 0 ? " " : "").append(word);
            word.setLength(0);
        }
        return out.append(line).append(System.lineSeparator()).toString();
    }

    // ---------------------------------------------------------------- processes

    /** One process to run: an argument list, never a shell string. log: all output (interleaved); stderrLog: stderr alone. */
    public record Cmd(List<String> argv, Path dir, Map<String, String> env, Duration timeout, Path log, Path stderrLog, boolean echo) {
        public static Cmd of(List<String> argv) { return new Cmd(List.copyOf(argv), null, Map.of(), null, null, null, false); }
        public static Cmd of(String... argv) { return of(List.of(argv)); }
        public Cmd in(Path d) { return new Cmd(argv, d, env, timeout, log, stderrLog, echo); }
        public Cmd env(Map<String, String> e) { return new Cmd(argv, dir, Map.copyOf(e), timeout, log, stderrLog, echo); }
        public Cmd timeout(Duration t) { return new Cmd(argv, dir, env, t, log, stderrLog, echo); }
        public Cmd log(Path l) { return new Cmd(argv, dir, env, timeout, l, stderrLog, echo); }
        public Cmd stderrLog(Path l) { return new Cmd(argv, dir, env, timeout, log, l, echo); }
        /** Show the output live on stderr. */
        public Cmd echo(boolean e) { return new Cmd(argv, dir, env, timeout, log, stderrLog, e); }
        public String display() { return String.join(" ", argv.stream().map(Kit::shq).toList()); }
    }

    /** What a process did: output interleaved as it came, stdout and stderr apart. exitCode -1: could not start; 128+N: signal N. */
    public record Result(int exitCode, boolean timedOut, String output, String stdout, String stderr, long millis, String startError) {
        public boolean ok() { return exitCode == 0 && !timedOut && startError == null; }
        /** Its start error, else its exit code. */
        public String why() { return startError != null ? startError : "exit " + exitCode; }
    }

    /** Runs a command; under --dry-run prints it (stdout) and runs nothing. Output kept in memory is capped at 4 MB. */
    public static Result exec(Io io, Cmd cmd) {
        if (io.dryRun) {
            io.plannedCommands.add(cmd.argv());
            if (!io.json) io.out.println((cmd.dir() != null ? "(cd " + shq(cmd.dir().toString()) + ") " : "") + cmd.display());
            return new Result(0, false, "", "", "", 0, null);
        }
        if (io.verbose) io.info("$ " + cmd.display());
        long t0 = System.nanoTime();
        StringBuilder all = new StringBuilder(), outOnly = new StringBuilder(), errOnly = new StringBuilder();
        try (Writer log = open(cmd.log()); Writer elog = open(cmd.stderrLog())) {
            ProcessExecutor pe = new ProcessExecutor().command(cmd.argv()).destroyOnExit().stopper(Kit::killTree)
                    .redirectOutput(lines(io, cmd, all, outOnly, log, null)).redirectError(lines(io, cmd, all, errOnly, log, elog));
            if (cmd.dir() != null) pe.directory(cmd.dir().toFile());
            if (!cmd.env().isEmpty()) pe.environment(cmd.env());
            if (cmd.timeout() != null) pe.timeout(cmd.timeout().toMillis(), TimeUnit.MILLISECONDS);
            ProcessResult r = pe.execute();
            return new Result(r.getExitValue(), false, all.toString(), outOnly.toString(), errOnly.toString(), ms(t0), null);
        } catch (TimeoutException e) {
            return new Result(-1, true, all.toString(), outOnly.toString(), errOnly.toString(), ms(t0), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, false, all.toString(), outOnly.toString(), errOnly.toString(), ms(t0), "interrupted");
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            return new Result(-1, false, all.toString(), outOnly.toString(), errOnly.toString(), ms(t0), why);
        }
    }

    private static long ms(long t0) { return (System.nanoTime() - t0) / 1_000_000; }

    /**
     * Kills a process and every process below it (children of a wrapper script, their children …), on Linux and macOS:
     * the tree is listed before anything is killed, so no child escapes by being re-parented when its parent dies.
     */
    public static void killTree(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.toHandle().descendants().toList());
        p.destroyForcibly();
        for (ProcessHandle h : tree) h.destroyForcibly();
        for (ProcessHandle h : p.toHandle().descendants().toList()) h.destroyForcibly(); // started while we killed
    }

    private static Writer open(Path p) throws IOException {
        if (p == null) return Writer.nullWriter();
        if (p.getParent() != null) Files.createDirectories(p.getParent());
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    }

    private static LogOutputStream lines(Io io, Cmd cmd, StringBuilder all, StringBuilder own, Writer log, Writer elog) {
        return new LogOutputStream() {
            private boolean logFailed;

            @Override
            protected void processLine(String line) {
                synchronized (all) {
                    if (all.length() < 4_000_000) all.append(line).append('\n');
                    if (own.length() < 4_000_000) own.append(line).append('\n');
                    try {
                        if (!logFailed) {
                            log.write(line + "\n");
                            log.flush();
                            if (elog != null) { elog.write(line + "\n"); elog.flush(); } // nothing left to fail when it is closed
                        }
                    } catch (IOException e) { // e.g. a full disk: keep draining the process (it must not block), note it once
                        logFailed = true;
                        own.append(LOG_WRITE_FAILED).append(ioWhy(e)).append("]\n");
                    }
                    if (cmd.echo()) io.err.println("    | " + line);
                }
            }
        };
    }

    /** Marks a process output whose log file could not be written (then ": why"). */
    public static final String LOG_WRITE_FAILED = "[log not written: ";

    /** Runs a command and returns its trimmed output, or null when it is missing or fails. For version probes. */
    public static String probe(String... argv) {
        Result r = query(System.getenv(), null, Duration.ofSeconds(20), argv);
        return r.ok() ? r.output().trim() : null;
    }

    /** A read-only command, run quietly even under --dry-run, with env's PATH (where argv[0] is looked up). */
    public static Result query(Map<String, String> env, Path dir, Duration timeout, String... argv) {
        List<String> a = new ArrayList<>(List.of(argv));
        Path exe = which(env, a.get(0));
        if (exe == null) return new Result(-1, false, "", "", "", 0, a.get(0) + " not found on PATH");
        a.set(0, exe.toString());
        Cmd c = Cmd.of(a).in(dir != null && Files.isDirectory(dir) ? dir : null).env(Map.of("PATH", env.getOrDefault("PATH", "")));
        return exec(Io.quiet(), c.timeout(timeout));
    }

    /** A program: a name with a slash as it is, else the first executable file of that name on env's PATH; null when none. */
    public static Path which(Map<String, String> env, String name) {
        if (name.contains("/")) return Files.isExecutable(Path.of(name).toAbsolutePath()) ? Path.of(name).toAbsolutePath() : null;
        for (String d : env.getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = d.isEmpty() ? null : Path.of(d, name);
            if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** env's PATH with dir first, for a child process. */
    public static String pathFirst(Path dir, Map<String, String> env) {
        return dir + java.io.File.pathSeparator + env.getOrDefault("PATH", "");
    }

    /** The first version number in text ("cmake version 3.28.3" gives [3, 28, 3]; missing parts are left out), or null. */
    public static int[] version(String text) {
        var m = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?").matcher(text == null ? "" : text);
        if (!m.find()) return null;
        List<Integer> parts = new ArrayList<>();
        for (int i = 1; i <= 3; i++) if (m.group(i) != null) parts.add(Integer.parseInt(m.group(i)));
        return parts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Compares versions part by part, a missing part counting as 0. */
    public static int compare(int[] a, int[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? a[i] : 0, y = i < b.length ? b[i] : 0;
            if (x != y) return Integer.compare(x, y);
        }
        return 0;
    }

    /** Quotes one word for a POSIX shell (also what reaches `adb shell`): safe for spaces, quotes, $(), ; and newlines. */
    public static String shq(String s) {
        return !s.isEmpty() && SAFE_WORD.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private static final Pattern SAFE_WORD = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    // ---------------------------------------------------------------- JSON

    /** Reads a JSON file; a syntax error becomes a user error naming file, line and column. */
    public static JsonNode readJson(Path file) {
        if (Files.isDirectory(file)) throw UserError.badInput(file + ": is a folder, not a JSON file", "pass the JSON file (not its folder)");
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

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes JSON atomically: a temporary file beside the target, then a rename. */
    public static void writeJson(Path file, Object value) { writeAtomic(file, json(value)); }

    public static void writeAtomic(Path file, String text) { writeAtomic(file, text.getBytes(StandardCharsets.UTF_8)); }

    public static void writeAtomic(Path file, byte[] bytes) { writeAtomic(file, out -> out.write(bytes)); }

    /** What writes a file's content to a stream (for a large file written as it is made, without the whole of it in memory). */
    public interface Content { void writeTo(java.io.OutputStream out) throws IOException; }

    /** Writes a file atomically from a stream: a temporary file beside the target, then a rename. */
    public static void writeAtomic(Path file, Content content) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                try (java.io.OutputStream out = Files.newOutputStream(tmp)) { content.writeTo(out); }
                if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) // temp files are 0600; results are for everyone to read
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException | RuntimeException e) { // a full disk, a folder in the target's place, a failing Content: no temporary file is left behind
                Files.deleteIfExists(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw UserError.failed("cannot write " + file + ": " + ioWhy(e), "check free disk space and permissions");
        }
    }

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
            boolean windows = System.getProperty("os.name").toLowerCase().contains("win");
            return Files.exists(unix) || !windows ? unix : venv().resolve("Scripts").resolve("python.exe");
        }

        public static Workspace locate(Path explicit) {
            if (explicit != null) return new Workspace(explicit.toAbsolutePath().normalize());
            String env = System.getenv("SME2_WORKSPACE");
            if (env != null && !env.isBlank()) return new Workspace(Path.of(env).toAbsolutePath().normalize());
            Path cwd = Path.of("").toAbsolutePath();
            for (Path p = cwd; p != null; p = p.getParent())
                if (Files.isDirectory(p.resolve("executorch")) || Files.isDirectory(p.resolve(".venv"))) return new Workspace(p);
            return new Workspace(cwd);
        }
    }

    /**
     * The pinned ExecuTorch release and the tool versions it needs (versions as {major, minor, patch}). The built-in
     * DEFAULTS are the values of configs/versions.json (tests check they agree), so a lone script download has them too.
     */
    public record Versions(String source, String ref, String sha, String url, String torch, int[] pythonMin, int[] pythonMax,
                           int[] cmakeMin, int[] cmakeRecommended, int[] cmakeBelow, int clangMin, int appleClangMin, int ndkMin) {
        /** Constants, for annotations and messages that need one before anything is loaded. */
        public static final String REF = "v1.3.1", URL = "https://github.com/pytorch/executorch.git", PYTHON_RANGE = "3.10-3.13";
        public static final Versions DEFAULTS = new Versions("built-in defaults", REF, "e2f18eb23c45bd22ca332b0b8b49a81de304b472", URL, "2.12.0",
                v3("3.10"), v3("3.13"), v3("3.24"), v3("3.29"), v3("4.0"), 18, 16, 27);

        /** configs/versions.json in the workspace, else in the current folder, else DEFAULTS; a syntax error is a bad-input UserError. */
        public static Versions load(Path workspaceRoot) {
            for (Path p : List.of(workspaceRoot.resolve("configs/versions.json"), Path.of("configs/versions.json").toAbsolutePath()))
                if (Files.isRegularFile(p)) return from(p);
            return DEFAULTS;
        }

        /** The file's values; a key it lacks (or an unreadable version) keeps its default, a ref without a sha pins no sha. */
        public static Versions from(Path file) {
            JsonNode r = readJson(file), et = r.path("executorch"), py = r.path("python"), cm = r.path("cmake");
            Versions d = DEFAULTS;
            int[] ndk = version(r.path("ndk").path("min").asText(null));
            return new Versions(file.toString(), et.path("ref").asText(d.ref), et.has("ref") || et.has("sha") ? et.path("sha").asText(null) : d.sha,
                    et.path("url").asText(d.url), r.path("torch").path("version").asText(d.torch), v3(py, "min", d.pythonMin), v3(py, "max", d.pythonMax),
                    v3(cm, "min", d.cmakeMin), v3(cm, "recommended", d.cmakeRecommended), v3(cm, "below", d.cmakeBelow),
                    r.path("clang").path("min").asInt(d.clangMin), r.path("apple_clang").path("min").asInt(d.appleClangMin), ndk == null ? d.ndkMin : ndk[0]);
        }

        /** True when the Python version's major.minor is inside [pythonMin, pythonMax]. */
        public boolean pythonOk(int[] v) {
            int[] mm = {v[0], v.length > 1 ? v[1] : 0, 0};
            return compare(mm, pythonMin) >= 0 && compare(mm, pythonMax) <= 0;
        }

        /** "3.10-3.13". */
        public String pythonRange() { return minor(pythonMin) + "-" + minor(pythonMax); }

        public static String minor(int[] v) { return v[0] + "." + v[1]; }

        private static int[] v3(JsonNode n, String key, int[] d) {
            int[] v = v3(n.path(key).asText(null));
            return v != null ? v : d;
        }

        private static int[] v3(String text) {
            int[] v = version(text);
            return v == null ? null : java.util.Arrays.copyOf(v, 3);
        }
    }

    /** Deletes a file or folder tree; nothing when it is absent. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var tree = Files.walk(dir)) {
            for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The SHA-256 of a file as lowercase hex, or null when it cannot be read (fleet comparisons never compare different model files). */
    public static String sha256(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

    /** One line of output for a message: at most 240 characters. */
    public static String cut(String s) { return s.length() > 240 ? s.substring(0, 237) + "..." : s; }

    /** Seconds to one decimal, for JSON. */
    public static double round(double s) { return Math.round(s * 10) / 10.0; }

    public static boolean isMac() { return System.getProperty("os.name").toLowerCase().contains("mac"); }

    /** The ExecuTorch checkout's commit and dirty flag; sha is null when it is not a git checkout. */
    public record GitState(String sha, boolean dirty) {
        public static GitState of(Path repo) {
            if (!Files.isDirectory(repo)) return new GitState(null, false);
            String sha = probe("git", "-C", repo.toString(), "rev-parse", "HEAD");
            String status = probe("git", "-C", repo.toString(), "status", "--porcelain", "--untracked-files=no");
            return new GitState(sha, status != null && !status.isBlank());
        }

        public Map<String, Object> toMap() { return ordered("present", sha != null, "sha", sha, "dirty", dirty); }
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
    public static final String MODEL_PLACEHOLDER = "REPLACE_WITH_PATH_TO_MODEL_PTE";
    public static final List<String> MODES = List.of("timing", "xnntrace");
    /** Experiment names become folder names: 1-64 of [A-Za-z0-9_.-], starting with a letter or digit, never "..". */
    public static final Pattern EXPERIMENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** An adb network device: HOST:PORT (never starting with "-", so adb cannot read it as an option). */
    public static final Pattern REMOTE = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9][A-Za-z0-9.-]*):[0-9]{1,5}");
    /** The keys the loader accepts per object; configs/config.schema.json declares exactly these (ConfigTest checks). */
    public static final Map<String, List<String>> CONFIG_KEYS = Map.of(
            "top", List.of("$schema", "model", "output_root", "experiments", "analysis", "device"),
            "experiment", List.of("name", "runner_path", "mode", "runs", "warmup", "threads", "extra_args", "cpu_affinity", "timeout_s",
                    "env"),
            "analysis", List.of("compare_pairs"), "pair", List.of("baseline", "candidate", "label"),
            "ref", List.of("experiment", "threads"), "device", List.of("serial", "remote", "workdir"));
    private static final Map<String, String> KEY_ALIASES = Map.of("num_runs", "runs", "num_threads", "threads", "cpu_threads", "threads",
            "warmup_runs", "warmup", "quiet_runner", "runner_path", "runner", "runner_path", "model_path", "model", "timeout", "timeout_s");
    private static final Map<String, String> PIPELINE_FLAGS = Map.of("model_path", "\"model\"", "etdump_path", "\"output_root\"",
            "num_executions", "\"runs\" and \"warmup\"", "cpu_threads", "\"threads\"");
    private static final Pattern PIPELINE_FLAG = Pattern.compile("--?(model_path|etdump_path|num_executions|cpu_threads)([=\\s].*)?",
            Pattern.DOTALL), HEX_MASK = Pattern.compile("0[xX][0-9a-fA-F]+"), ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Loads and validates a config; every problem is reported at once in a bad-input error (exit 2). */
    public static Config loadConfig(Path file) {
        JsonNode root = readJson(file);
        List<String> problems = configProblems(file, root);
        if (!problems.isEmpty()) throw UserError.badInput(problems.size() == 1 ? problems.get(0)
                        : problems.size() + " problems in the config:\n  " + String.join("\n  ", firstLines(problems)),
                "correct the fields named above (keys and types: configs/config.schema.json)");
        return parseConfig(file, root);
    }

    /** At most this many items of a list go into one message (Kit.some), at most this many problem lines into one error. */
    public static final int MESSAGE_LIST_MAX = 10, MESSAGE_LINES_MAX = 20;

    /** The first MESSAGE_LINES_MAX lines, then "… and N more". */
    public static List<String> firstLines(List<String> lines) {
        if (lines.size() <= MESSAGE_LINES_MAX) return lines;
        List<String> out = new ArrayList<>(lines.subList(0, MESSAGE_LINES_MAX));
        out.add("… and " + (lines.size() - MESSAGE_LINES_MAX) + " more");
        return out;
    }

    /** Every problem in a config file, each as `FILE: $.path: what is wrong; fix`. Empty when it is valid. */
    public static List<String> configProblems(Path file) {
        try {
            return configProblems(file, readJson(file));
        } catch (UserError e) {
            return List.of(e.getMessage() + "; " + e.fix);
        }
    }

    private static List<String> configProblems(Path file, JsonNode root) {
        Problems c = new Problems(file.toString(), new ArrayList<>());
        nulProblems(c, root, "$");
        if (!c.object(root, "$", "top")) return c.out;
        c.string(root, "$", "$schema", null);
        String model = c.string(root, "$", "model", "set it to the .pte file to profile, e.g. \"../../models/mv2_xnnpack_fp16.pte\"");
        if (MODEL_PLACEHOLDER.equals(model)) c.add("$.model", "still the template placeholder; set it to your exported .pte (relative to"
                + " this file), e.g. one made by: jbang scripts/ExportModel.java --model mv2 --dtype fp16");
        c.string(root, "$", "output_root", null);
        JsonNode exps = root.get("experiments");
        Map<String, List<Integer>> threadsOf = new LinkedHashMap<>();
        String oneExperiment = "{\"name\": ..., \"runner_path\": ...}";
        if (exps == null) c.add("$.experiments", "missing; add a list with at least one experiment " + oneExperiment);
        else if (c.type(exps, "$.experiments", JsonNode::isArray, "a list", "write [" + oneExperiment + "]") && exps.isEmpty())
            c.add("$.experiments", "empty list; add at least one experiment " + oneExperiment);
        else for (int i = 0; i < exps.size(); i++) experimentProblems(c, exps.get(i), "$.experiments[" + i + "]", threadsOf);
        JsonNode pairs = root.path("analysis").get("compare_pairs");
        if (root.has("analysis") && c.object(root.get("analysis"), "$.analysis", "analysis") && pairs != null && c.type(pairs,
                "$.analysis.compare_pairs", JsonNode::isArray, "a list", "write [{\"baseline\": ..., \"candidate\": ...}]")) {
            for (int i = 0; i < pairs.size(); i++) {
                String p = "$.analysis.compare_pairs[" + i + "]";
                if (!c.object(pairs.get(i), p, "pair")) continue;
                for (String side : List.of("baseline", "candidate")) {
                    JsonNode r = pairs.get(i).get(side);
                    if (r == null) c.add(p + "." + side, "missing; add {\"experiment\": NAME, \"threads\": N}");
                    else if (c.object(r, p + "." + side, "ref")) refProblems(c, r, p + "." + side, threadsOf);
                }
                c.string(pairs.get(i), p, "label", null);
            }
        }
        JsonNode d = root.get("device");
        if (d != null && c.object(d, "$.device", "device")) {
            c.string(d, "$.device", "serial", null);
            String remote = c.string(d, "$.device", "remote", null), wd = c.string(d, "$.device", "workdir", null);
            if (remote != null && !REMOTE.matcher(remote).matches())
                c.add("$.device.remote", quote(remote) + " is not HOST:PORT; write it like \"192.168.1.20:5555\"");
            if (wd != null && !wd.startsWith("/"))
                c.add("$.device.workdir", quote(wd) + " is not an absolute path on the device; use e.g. \"" + DEFAULT_DEVICE_WORKDIR + "\"");
        }
        return c.out;
    }

    private static void experimentProblems(Problems c, JsonNode e, String p, Map<String, List<Integer>> threadsOf) {
        if (!c.object(e, p, "experiment")) return;
        String name = c.string(e, p, "name", "give it a name such as \"mac_sme2_on\" (it becomes a folder name)");
        if (name != null && (!EXPERIMENT_NAME.matcher(name).matches() || name.contains("..")))
            c.add(p + ".name", quote(name) + " is not a safe folder name; use 1-64 letters, digits, _ . - starting with a letter or digit,"
                    + " no \"..\"");
        else if (name != null && threadsOf.containsKey(name))
            c.add(p + ".name", quote(name) + " is used by an earlier experiment; give each experiment its own name");
        c.string(e, p, "runner_path", "set it to an executor_runner binary, e.g. \"../../executorch/cmake-out/host-sme2-on/executor_runner\"");
        String mode = c.string(e, p, "mode", null);
        if (mode != null && !MODES.contains(mode)) c.add(p + ".mode", quote(mode) + " is not a mode; use \"timing\" or \"xnntrace\"");
        c.integer(e.get("runs"), p + ".runs", 1, "\"runs\": " + DEFAULT_RUNS);
        c.integer(e.get("warmup"), p + ".warmup", 0, "\"warmup\": " + DEFAULT_WARMUP);
        List<Integer> threads = new ArrayList<>(e.has("threads") ? List.of() : List.of(1));
        JsonNode t = e.get("threads");
        if (t != null && c.type(t, p + ".threads", JsonNode::isArray, "a list of thread counts",
                "write it as a list, e.g. [" + (t.isInt() ? t : 1) + "]")) {
            if (t.isEmpty()) c.add(p + ".threads", "empty list; list at least one thread count, e.g. [1]");
            for (int i = 0; i < t.size(); i++) {
                Integer n = c.integer(t.get(i), p + ".threads[" + i + "]", 1, "[1, 4]");
                if (n != null && threads.contains(n)) c.add(p + ".threads[" + i + "]", n + " is listed twice; list each thread count once");
                if (n != null) threads.add(n);
            }
        }
        JsonNode x = e.get("extra_args");
        if (x != null && c.type(x, p + ".extra_args", JsonNode::isArray, "a list of strings", "e.g. [\"--method_name\", \"forward\"]")) {
            for (int i = 0; i < x.size(); i++) {
                String a = p + ".extra_args[" + i + "]";
                if (!c.type(x.get(i), a, JsonNode::isTextual, "a string", "quote each argument")) continue;
                var m = PIPELINE_FLAG.matcher(x.get(i).asText());
                if (m.matches()) c.add(a, quote(x.get(i).asText()) + " is set by the pipeline; remove it (and its value) and set "
                        + PIPELINE_FLAGS.get(m.group(1)) + " instead");
            }
        }
        String mask = c.string(e, p, "cpu_affinity", null);
        if (mask != null && !HEX_MASK.matcher(mask).matches())
            c.add(p + ".cpu_affinity", quote(mask) + " is not a hex CPU mask; write it like \"0x80\" (bit N = CPU N)");
        else if (mask != null && mask.substring(2).replace("0", "").isEmpty())
            c.add(p + ".cpu_affinity", quote(mask) + " selects no CPU; set at least one bit, e.g. \"0x80\" for CPU 7");
        c.integer(e.get("timeout_s"), p + ".timeout_s", 1, "\"timeout_s\": " + DEFAULT_TIMEOUT_S);
        JsonNode env = e.get("env");
        if (env != null && c.type(env, p + ".env", JsonNode::isObject, "an object", "write {\"NAME\": \"value\"}")) {
            env.properties().forEach(f -> {
                String where = at(p + ".env", f.getKey());
                if (!ENV_NAME.matcher(f.getKey()).matches()) c.add(where, "not an environment variable name; use letters, digits and _");
                c.type(f.getValue(), where, JsonNode::isTextual, "a string", "quote the value, e.g. \"1\"");
            });
        }
        if (name != null && !threadsOf.containsKey(name))
            threadsOf.put(name, t == null || t.isArray() && threads.size() == t.size() ? threads : null);
    }

    private static void refProblems(Problems c, JsonNode r, String p, Map<String, List<Integer>> threadsOf) {
        String exp = c.string(r, p, "experiment", "name one of the experiments: " + some(threadsOf.keySet(), MESSAGE_LIST_MAX));
        Integer t = r.has("threads") ? c.integer(r.get("threads"), p + ".threads", 1, "\"threads\": 1") : Integer.valueOf(1);
        if (exp != null && !threadsOf.containsKey(exp))
            c.add(p + ".experiment", quote(exp) + " is not an experiment of this config; " + suggest(exp, threadsOf.keySet()));
        else if (exp != null && t != null && threadsOf.get(exp) != null && !threadsOf.get(exp).contains(t))
            c.add(p + ".threads", "experiment " + quote(exp) + " does not run with " + t + " thread(s); use one of " + threadsOf.get(exp)
                    + " or add " + t + " to its \"threads\"");
    }

    /** Every string (key or value) holding a NUL character, which no path, argument or environment value can carry. */
    private static void nulProblems(Problems c, JsonNode n, String p) {
        if (n.isTextual() && n.asText().indexOf('\0') >= 0)
            c.add(p, "contains a NUL character (\\u0000), which no path or argument can hold; remove it");
        if (n.isArray()) for (int i = 0; i < n.size(); i++) nulProblems(c, n.get(i), p + "[" + i + "]");
        if (n.isObject()) n.properties().forEach(f -> {
            if (f.getKey().indexOf('\0') >= 0) c.add(p, "a key contains a NUL character (\\u0000); remove it");
            else nulProblems(c, f.getValue(), at(p, f.getKey()));
        });
    }

    /** The problem lines of one config file. */
    private record Problems(String file, List<String> out) {
        void add(String path, String what) { out.add(file + ": " + path + ": " + what); }

        /** True when n is an object; reports each unknown key with the closest known one. */
        boolean object(JsonNode n, String p, String kind) {
            if (!type(n, p, JsonNode::isObject, "an object", "write {\"key\": value, ...}")) return false;
            n.fieldNames().forEachRemaining(k -> {
                if (!CONFIG_KEYS.get(kind).contains(k)) add(at(p, k), "unknown key; " + suggest(k, CONFIG_KEYS.get(kind)));
            });
            return true;
        }

        boolean type(JsonNode n, String p, java.util.function.Predicate<JsonNode> ok, String expected, String fix) {
            if (!ok.test(n)) add(p, "expected " + expected + ", found " + describe(n) + "; " + fix);
            return ok.test(n);
        }

        /** The non-empty string at obj.key, or null (missing, wrong type or empty: reported; missing only when missingFix is set). */
        String string(JsonNode obj, String p, String key, String missingFix) {
            JsonNode n = obj.get(key);
            if (n == null && missingFix != null) add(at(p, key), "missing; " + missingFix);
            if (n == null || !type(n, at(p, key), JsonNode::isTextual, "a string", "write it in quotes")) return null;
            if (n.asText().isBlank()) add(at(p, key), "empty string; " + (missingFix != null ? missingFix : "give a value or remove the key"));
            return n.asText().isBlank() ? null : n.asText();
        }

        Integer integer(JsonNode n, String p, int min, String example) {
            if (n == null || !type(n, p, x -> x.isIntegralNumber() && x.canConvertToInt(), "an integer >= " + min,
                    "write a whole number, e.g. " + example)) return null;
            if (n.asInt() < min) add(p, n.asInt() + " is too small; use an integer >= " + min + ", e.g. " + example);
            return n.asInt() < min ? null : n.asInt();
        }
    }

    private static String at(String p, String key) { return p + (ENV_NAME.matcher(key).matches() ? "." + key : "[" + quote(key) + "]"); }

    private static String quote(String s) { return JSON.getNodeFactory().textNode(s).toString(); }

    private static String describe(JsonNode n) {
        String v = n.toString().length() > 40 ? n.toString().substring(0, 37) + "..." : n.toString();
        return n.isTextual() ? "a string (" + v + ")" : n.isNumber() ? "a number (" + v + ")" : n.isBoolean() ? "a boolean (" + v + ")"
                : n.isArray() ? "a list" : n.isObject() ? "an object" : "null";
    }

    /** "did you mean" with a known alias, else the nearest key within edit distance 2 or containing / contained in the key. */
    static String suggest(String key, java.util.Collection<String> known) {
        String best = known.contains(KEY_ALIASES.getOrDefault(key, "")) ? KEY_ALIASES.get(key) : null;
        int bestD = best != null ? -1 : 5; // score: 2 x edit distance (at most 2), 1 less when one contains the other
        for (String k : known) {
            String a = key.toLowerCase(), b = k.toLowerCase();
            int e = editDistance(a, b), shorter = Math.min(a.length(), b.length());
            int d = shorter >= 4 && (a.contains(b) || b.contains(a)) ? Math.min(2 * e - 1, 3) : e < shorter ? 2 * e : 9;
            if (d < bestD) { best = k; bestD = d; }
        }
        return best != null ? "did you mean " + quote(best) + "?" : "use one of: " + some(known, MESSAGE_LIST_MAX);
    }

    public static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++)
            for (int j = 0; j <= b.length(); j++)
                d[i][j] = i == 0 || j == 0 ? i + j
                        : Math.min(Math.min(d[i - 1][j], d[i][j - 1]) + 1, d[i - 1][j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
        return d[a.length()][b.length()];
    }

    private static Config parseConfig(Path file, JsonNode root) {
        Path dir = file.toAbsolutePath().getParent();
        List<Experiment> exps = new ArrayList<>();
        for (JsonNode e : root.path("experiments")) {
            Map<String, String> env = new LinkedHashMap<>();
            e.path("env").properties().forEach(f -> env.put(f.getKey(), f.getValue().asText()));
            exps.add(new Experiment(e.path("name").asText(), resolve(dir, e.path("runner_path").asText()),
                    e.path("mode").asText(MODES.get(0)), e.path("runs").asInt(defaultRuns(e.path("mode").asText(MODES.get(0)))), e.path("warmup").asInt(DEFAULT_WARMUP),
                    e.has("threads") ? e.get("threads").valueStream().map(JsonNode::asInt).toList() : List.of(1),
                    e.path("extra_args").valueStream().map(JsonNode::asText).toList(), e.path("cpu_affinity").asText(null),
                    e.path("timeout_s").asInt(DEFAULT_TIMEOUT_S), java.util.Collections.unmodifiableMap(env)));
        }
        exps = kernelLogThreads(exps, root.path("experiments"));
        List<ComparePair> pairs = new ArrayList<>();
        for (JsonNode p : root.path("analysis").path("compare_pairs")) {
            ExpRef b = ref(p.path("baseline")), c = ref(p.path("candidate"));
            String label = b.experiment() + "/t" + b.threads() + " -> " + c.experiment() + "/t" + c.threads();
            pairs.add(new ComparePair(b, c, p.path("label").asText(label)));
        }
        JsonNode d = root.path("device");
        Device device = new Device(d.path("serial").asText(null), d.path("remote").asText(null),
                d.path("workdir").asText(DEFAULT_DEVICE_WORKDIR));
        Path outputRoot = root.has("output_root") ? resolve(dir, root.get("output_root").asText()) : Workspace.locate(null).runs();
        return new Config(file.toAbsolutePath().normalize(), resolve(dir, root.path("model").asText()), outputRoot, List.copyOf(exps),
                List.copyOf(pairs), device, root);
    }

    /**
     * An xnntrace experiment without "threads" runs at every thread count the timing experiments use (XNNPACK may select
     * other microkernels at other thread counts, so each timing gets a kernel log of its own); "threads" overrides it.
     */
    private static List<Experiment> kernelLogThreads(List<Experiment> exps, JsonNode raw) {
        java.util.TreeSet<Integer> timed = new java.util.TreeSet<>();
        for (Experiment e : exps) if (!e.mode().equals("xnntrace")) timed.addAll(e.threads());
        List<Experiment> out = new ArrayList<>();
        for (int i = 0; i < exps.size(); i++) {
            Experiment e = exps.get(i);
            boolean implicit = e.mode().equals("xnntrace") && !raw.path(i).has("threads") && !timed.isEmpty();
            out.add(!implicit ? e : new Experiment(e.name(), e.runnerPath(), e.mode(), e.runs(), e.warmup(), List.copyOf(timed),
                    e.extraArgs(), e.cpuAffinity(), e.timeoutS(), e.env()));
        }
        return out;
    }

    /** runs when the config has none: 1 for xnntrace (a kernel log, not a timing), else DEFAULT_RUNS. */
    public static int defaultRuns(String mode) { return mode.equals("xnntrace") ? 1 : DEFAULT_RUNS; }

    private static ExpRef ref(JsonNode n) { return new ExpRef(n.path("experiment").asText(), n.path("threads").asInt(1)); }

    /** A config path: `~` and `~/…` expand to the home folder, relative paths resolve against the config file's folder. */
    static Path resolve(Path dir, String p) {
        if (p.equals("~") || p.startsWith("~/")) p = System.getProperty("user.home") + p.substring(1);
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
        if (!"ED00".equals(new String(b, 8, 4, StandardCharsets.ISO_8859_1))) throw fb.bad(8, "identifier is not ED00 (not an ETDump"
                + ("ET12".equals(new String(b, 4, 4, StandardCharsets.ISO_8859_1)) ? "; this is a .pte program)" : ")"));
        long size = fb.u32(0);
        if (size != b.length - 4)
            throw fb.bad(0, "size prefix says " + size + " bytes but " + (b.length - 4) + " follow (truncated or padded file)");
        List<String> names = new ArrayList<>();
        List<Double> exec = new ArrayList<>();
        int runs = fb.field(fb.ref(4), 1);
        for (int i = 0, n = runs == 0 ? 0 : fb.len(runs); i < n; i++) {
            int rd = fb.elem(runs, i), nameAt = fb.field(rd, 0);
            String name = nameAt == 0 ? "" : fb.str(nameAt);
            names.add(name);
            if (!name.equals("Execute")) continue;
            double ms = Double.NaN;
            int evs = fb.field(rd, 3);
            for (int j = 0, m = evs == 0 ? 0 : fb.len(evs); j < m; j++) {
                int pe = fb.field(fb.elem(evs, j), 0), pn = pe == 0 ? 0 : fb.field(pe, 0);
                if (pn == 0 || !fb.str(pn).equals("Method::execute")) continue;
                long start = fb.scalar(pe, 6), end = fb.scalar(pe, 7);
                ms = (end - start) / 1e6;
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
        int elem(int vec, int i) { return ref(vec + 4L + 4L * i); }

        /** Where field id of a table is, from its vtable; 0 when absent. */
        long slot(int table, int id) {
            int vt = check(table - (long) bb.getInt(check(table, 4)), 4);
            if (4 + 2 * id + 2 > (bb.getShort(vt) & 0xffff)) return 0;
            int off = bb.getShort(check(vt + 4 + 2L * id, 2)) & 0xffff;
            return off == 0 ? 0 : (long) table + off;
        }

        /** The table, vector or string a field refers to; 0 when absent. */
        int field(int table, int id) {
            long at = slot(table, id);
            return at == 0 ? 0 : ref(check(at, 4));
        }

        /** A 64-bit scalar field; 0 when absent. */
        long scalar(int table, int id) {
            long at = slot(table, id);
            return at == 0 ? 0 : bb.getLong(check(at, 8));
        }

        int len(int vec) {
            long n = u32(vec);
            check(vec + 4L, (int) Math.min(Integer.MAX_VALUE, n * 4));
            return (int) n;
        }

        String str(int at) {
            int n = (int) Math.min(u32(at), Integer.MAX_VALUE);
            return new String(bb.array(), check(at + 4L, n), n, StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------- run folder (MacPipeline, AndroidPipeline)

    /**
     * A pipeline's run folder (README "The run folder"). `manifest` is manifest.json as an ordered map (README key order);
     * its "results" list holds one entry {experiment, threads, mode, status, reason, metrics} per experiment and thread
     * count. Every change ends with save(), which rewrites manifest.json and metrics.json atomically, so a crash loses
     * at most the experiment in flight. All methods are thread-safe.
     */
    public static final class RunFolder implements AutoCloseable {
        public final Path dir;
        public final Map<String, Object> manifest;
        private boolean frozen;
        private java.nio.channels.FileChannel lockChannel;
        private java.nio.channels.FileLock lock;
        /** The lock file of a run folder: one writer at a time (it holds the writer's PID). */
        public static final String LOCK_FILE = ".lock";

        private RunFolder(Path dir, Map<String, Object> manifest) { this.dir = dir; this.manifest = manifest; }

        /** `<outputRoot>/<UTC yyyyMMdd-HHmmss>-<stem>` with -2, -3 … when taken; create=true makes it atomically (never shared). */
        public static Path newDir(Path outputRoot, String modelStem, java.time.Instant now, boolean create) {
            String base = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC).format(now);
            Path root = outputRoot.toAbsolutePath().normalize();
            String bad = outputRootProblem(root);
            if (bad != null) throw UserError.badInput(bad, "set \"output_root\" in the config to a folder you can write to (it is created if missing)");
            for (int i = 1; i <= 10_000; i++) {
                Path p = root.resolve(base + "-" + modelStem + (i == 1 ? "" : "-" + i));
                try {
                    if (!create && !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return p;
                    if (create) return Files.createDirectory(Files.createDirectories(root).resolve(p.getFileName()));
                } catch (java.nio.file.FileAlreadyExistsException taken) { // another run took it: next suffix
                    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) throw UserError.badInput("cannot create the run folder "
                            + p + ": " + taken.getFile() + " exists and is not a folder", "set \"output_root\" to a folder");
                } catch (IOException e) {
                    throw UserError.badInput("cannot create the run folder " + p + ": " + ioWhy(e),
                            "set \"output_root\" in the config to a folder you can write to (and check free disk space)");
                }
            }
            throw UserError.failed("10000 run folders named " + base + "-" + modelStem + " already exist in " + root,
                    "wait a second and run again, or clean up " + root);
        }

        /**
         * Takes the folder's write lock (an OS lock on .lock, which holds this PID) or fails naming the holder. The OS
         * drops it when the process ends, however it ends (SIGKILL too), so a stale lock never blocks a later --resume.
         */
        public synchronized RunFolder lock() {
            Path file = dir.resolve(LOCK_FILE), key;
            try {
                key = dir.toRealPath().resolve(LOCK_FILE);
            } catch (IOException e) {
                key = file.toAbsolutePath().normalize();
            }
            String me = "PID " + ProcessHandle.current().pid() + ", since " + utcNow();
            String held = HELD.putIfAbsent(key, me); // this process holds it already: .lock is not opened (see HELD)
            if (held != null) throw inUse(held);
            java.nio.channels.FileChannel ch = null;
            boolean locked = false;
            try {
                ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.READ,
                        java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                java.nio.channels.FileLock l;
                try {
                    l = ch.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
                    l = null;
                }
                if (l == null) {
                    ch.close();
                    ch = null;
                    throw inUse(Files.readString(file, StandardCharsets.UTF_8).trim());
                }
                ch.truncate(0);
                ch.write(java.nio.ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(false);
                lockChannel = ch;
                lock = l;
                heldKey = key;
                locked = true;
                return this;
            } catch (IOException e) {
                throw UserError.failed("cannot lock the run folder: " + file + ": " + ioWhy(e), "check free disk space and permissions");
            } finally {
                if (!locked) {
                    HELD.remove(key);
                    try {
                        if (ch != null) ch.close(); // e.g. a full disk while writing the PID: no descriptor (nor lock) is left open
                    } catch (IOException ignored) {
                    }
                }
            }
        }

        private UserError inUse(String holder) {
            return UserError.failed(dir + " is in use by another pipeline run (" + (holder.isEmpty() ? "PID unknown" : holder)
                    + "); two writers would overwrite each other", "wait for that run to end (or stop it), then resume: "
                    + (manifest.get("tool") instanceof String t && t.matches("[A-Za-z]+Pipeline") ? "jbang scripts/" + t + ".java " : "") + "--resume " + shq(dir.toString()));
        }

        /**
         * The .lock files this process holds, with their holder line. A second lock() in the same process is refused from
         * here without opening .lock: closing any descriptor of a file drops all of the process's POSIX locks on it.
         */
        private static final Map<Path, String> HELD = new java.util.concurrent.ConcurrentHashMap<>();
        private Path heldKey;

        /** Releases the write lock (the .lock file stays; only the OS lock on it counts). */
        @Override
        public synchronized void close() {
            try {
                if (lock != null) lock.release();
                if (lockChannel != null) lockChannel.close();
            } catch (IOException ignored) { // closing releases the lock in any case
            }
            lock = null;
            lockChannel = null;
            if (heldKey != null) HELD.remove(heldKey);
            heldKey = null;
        }

        /** A new run folder whose manifest has status "running" (fill config, model, executorch, host, runners, then save()). */
        public static RunFolder create(Path outputRoot, String modelStem, String tool) {
            Path dir = newDir(outputRoot, modelStem, java.time.Instant.now(), true);
            return new RunFolder(dir, ordered("schema_version", 2, "generated_at", utcNow(), "tool", tool, "status", "running", "config", null,
                    "model", null, "model_sha256", null, "executorch", null, "run_root", dir.toString(), "host", null, "device", ordered(), "runners", ordered(),
                    "results", new ArrayList<>())).lock();
        }

        /** An existing run folder (for --resume), with its entries and their statuses. */
        @SuppressWarnings("unchecked")
        public static RunFolder open(Path dir) {
            Path file = dir.resolve("manifest.json");
            if (!Files.isRegularFile(file)) throw UserError.badInput(dir + ": no manifest.json here, so it is not a run folder",
                    "pass a folder a pipeline run printed: <output_root>/<UTC timestamp>-<model>");
            Map<String, Object> m = JSON.convertValue(readJson(file), LinkedHashMap.class);
            if (!(m.get("results") instanceof List))
                throw UserError.badInput(file + ": $.results: missing or not a list", "re-run the pipeline");
            return new RunFolder(dir.toAbsolutePath().normalize(), m);
        }

        @SuppressWarnings("unchecked")
        public synchronized List<Map<String, Object>> results() { return (List<Map<String, Object>>) manifest.get("results"); }

        /** The entry of experiment × threads; appended as "pending" (reason and metrics null) when absent. */
        public synchronized Map<String, Object> result(String experiment, int threads, String mode) {
            for (Map<String, Object> r : results())
                if (experiment.equals(r.get("experiment")) && r.get("threads") instanceof Number n && n.intValue() == threads) return r;
            Map<String, Object> r = ordered("experiment", experiment, "threads", threads, "mode", mode, "status", "pending", "reason", null,
                    "metrics", null);
            results().add(r);
            return r;
        }

        /** Whether the step's entry is ok (a dry run of --resume skips it). */
        public synchronized boolean ok(Step s) {
            return results().stream().anyMatch(r -> s.exp().name().equals(r.get("experiment")) && r.get("threads") instanceof Number n
                    && n.intValue() == s.threads() && "ok".equals(r.get("status")));
        }

        /** Records how an entry ended (ok | failed | interrupted | pending) and saves; metrics null keeps the old ones. */
        public synchronized void record(Map<String, Object> entry, String status, String reason, Map<String, Object> metrics) {
            entry.put("status", status);
            entry.put("reason", reason);
            if (metrics != null) entry.put("metrics", metrics);
            save();
        }

        /** Sets and saves the run's status from its entries: interrupted if any is, ok if all are ok, else failed. */
        public synchronized String finish() {
            List<Object> st = results().stream().map(r -> r.get("status")).toList();
            boolean ok = !st.isEmpty() && st.stream().allMatch("ok"::equals);
            manifest.put("status", st.contains("interrupted") ? "interrupted" : ok ? "ok" : "failed");
            save();
            return (String) manifest.get("status");
        }

        /** For a shutdown hook (Ctrl-C, SIGTERM): marks the entry in flight and the run interrupted, saves, ignores later saves. */
        public synchronized void interrupt(Map<String, Object> inFlight, String why) {
            if (frozen) return;
            if (inFlight != null) { inFlight.put("status", "interrupted"); inFlight.put("reason", why); }
            manifest.put("status", "interrupted");
            save();
            frozen = true;
        }

        /** Rewrites manifest.json, then metrics.json ({"results": [...]}), each atomically. */
        public synchronized void save() {
            if (frozen) return;
            manifest.put("generated_at", utcNow());
            writeJson(dir.resolve("manifest.json"), manifest);
            writeJson(dir.resolve("metrics.json"), Map.of("results", results()));
        }

        /** A path inside the folder as README *_rel values are written (forward slashes); null stays null. */
        public String rel(Path p) { return p == null ? null : dir.relativize(p.toAbsolutePath().normalize()).toString().replace('\\', '/'); }

        /**
         * An entry's "metrics" in README order (+ mean_ms, cv_percent). latencyAllMs: the ETDump's Method::execute per
         * execution of the timed process, in order; its first warmupInProcess executions are the in-process warm-up, so
         * latency_ms and the statistics hold the steady-state executions after them, latency_all_ms every execution.
         */
        public Map<String, Object> metrics(int runs, int warmupInProcess, int threads, List<Double> latencyAllMs, Double runnerReportedMs,
                                           Path etdump, Path log, Path xnntraceLog) {
            int skip = Math.min(warmupInProcess, latencyAllMs.size());
            List<Double> latencyMs = latencyAllMs.subList(skip, latencyAllMs.size());
            List<Double> s = latencyMs.stream().sorted().toList();
            int n = s.size();
            double mean = s.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double sd = Math.sqrt(s.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / Math.max(1, n - 1));
            return ordered("runs", runs, "warmup", warmupInProcess, "warmup_in_process", warmupInProcess, "threads", threads,
                    "latency_ms", List.copyOf(latencyMs), "latency_all_ms", List.copyOf(latencyAllMs),
                    "median_ms", n == 0 ? null : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2,
                    "min_ms", n == 0 ? null : s.get(0), "max_ms", n == 0 ? null : s.get(n - 1), "runner_reported_ms",
                    runnerReportedMs == null || !Double.isFinite(runnerReportedMs) ? null : runnerReportedMs,
                    "etdump", etdump == null ? null : etdump.toString(), "log", log == null ? null : log.toString(), "etdump_rel", rel(etdump),
                    "log_rel", rel(log), "xnntrace_log_rel", rel(xnntraceLog), "mean_ms", n == 0 ? null : mean,
                    "cv_percent", n < 2 || mean == 0 ? null : 100 * sd / mean);
        }
    }

    /**
     * Why output_root cannot hold run folders (null when it can, or when it can be created): it or a parent is a file, a
     * read-only or /proc-like file system, or not writable.
     */
    public static String outputRootProblem(Path outputRoot) {
        Path root = outputRoot.toAbsolutePath().normalize(), p = root;
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null) return null;
        String what = p.equals(root) ? "output_root " + root : "output_root " + root + ": its parent " + p;
        if (!Files.isDirectory(p)) return what + " is a file, not a folder";
        try {
            String type = Files.getFileStore(p).type();
            if (Set.of("proc", "sysfs", "devpts", "cgroup", "cgroup2").contains(type)) return what + " is on the " + type + " pseudo file system";
            if (Files.getFileStore(p).isReadOnly()) return what + " is on a read-only file system";
        } catch (IOException ignored) { // unknown store: the writability check decides
        }
        if (!Files.isWritable(p)) return what + " is not writable by you";
        return null;
    }

    /** An I/O error in words: "No space left on device" and the like, with the file it concerns. */
    public static String ioWhy(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null)
            return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    // ---------------------------------------------------------------- path confinement (run folders)

    /** A path named relative to a run folder: where it is, or why it may not be used (then path is null). */
    public record Inside(Path path, String why) {}

    /**
     * The one confinement rule for a path a run folder names (a manifest's *_rel, an experiment's folder): a valid relative
     * path that stays inside the folder after "..", with no symbolic link on the way (or at its end) leading outside or
     * nowhere. A path that does not exist yet passes; whether it must exist is the caller's business.
     */
    public static Inside inside(Path dir, String rel) {
        if (rel == null || rel.isEmpty()) return new Inside(null, "empty");
        Path r;
        try {
            r = Path.of(rel);
        } catch (java.nio.file.InvalidPathException e) {
            return new Inside(null, quote(rel) + " is not a valid path (" + e.getReason() + ")");
        }
        if (r.isAbsolute()) return new Inside(null, rel + " is an absolute path; it must be relative to the run folder");
        Path base = dir.toAbsolutePath().normalize(), p = base.resolve(r).normalize();
        if (!p.startsWith(base) || p.equals(base)) return new Inside(null, rel + " points outside the run folder");
        try {
            Path realBase = base.toRealPath();
            Path cur = base;
            for (Path part : base.relativize(p)) {
                cur = cur.resolve(part);
                if (Files.isSymbolicLink(cur)) {
                    if (!Files.exists(cur)) return new Inside(null, rel + ": " + base.relativize(cur) + " is a symbolic link to nothing");
                    if (!cur.toRealPath().startsWith(realBase))
                        return new Inside(null, rel + ": " + base.relativize(cur) + " is a symbolic link leading outside the run folder (to "
                                + cur.toRealPath() + ")");
                } else if (!Files.exists(cur, java.nio.file.LinkOption.NOFOLLOW_LINKS)) break;
            }
        } catch (IOException e) {
            return new Inside(null, rel + ": cannot check (" + ioWhy(e) + ")");
        }
        return new Inside(p, null);
    }

    /** A list for a message: at most max items, then "… (N more)", so a huge input never makes a huge message. */
    public static String some(java.util.Collection<?> items, int max) {
        List<String> out = new ArrayList<>();
        for (Object o : items) {
            if (out.size() == max) { out.add("… (" + (items.size() - max) + " more)"); break; }
            out.add(String.valueOf(o));
        }
        return String.join(", ", out);
    }

    /** A mutable LinkedHashMap from key, value, key, value … (values may be null). */
    public static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    public static String utcNow() { return java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(); }

    /**
     * What an executor_runner printed: executions and total ms of "Model executed successfully N time(s) in X ms.", NaN
     * in the printed output tensors, its error lines (E/F log lines without the prefix, gflags "ERROR: …"), its last
     * lines, and whether it logged XNNPACK microkernels (a kernel-logging build).
     */
    public record RunnerOutput(Integer executions, Double reportedMs, boolean nan, List<String> errors, List<String> tail, boolean kernelLog) {
        private static final Pattern DONE = Pattern.compile(
                "Model executed successfully (\\d+) time\\(s\\) in (\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?|(?i:[+-]?(?:nan|inf(?:inity)?))) ms"),
                LOG = Pattern.compile("^[IWEF] \\d\\d:\\d\\d:\\d\\d\\.\\d+ [^ ]*\\] ?(.*)$"),
                NAN = Pattern.compile("(?i)(^|[^a-z0-9_])-?nan($|[^a-z0-9_])");

        public static RunnerOutput parse(String text) {
            Integer n = null;
            Double ms = null;
            boolean nan = false, inOutput = false, kernels = false;
            List<String> errors = new ArrayList<>(), lines = text.lines().filter(l -> !l.isBlank()).toList();
            for (String l : lines) {
                var done = DONE.matcher(l);
                if (done.find()) { n = Integer.valueOf(done.group(1)); ms = number(done.group(2)); }
                var log = LOG.matcher(l);
                if (log.matches() && (l.startsWith("E") || l.startsWith("F")) || l.startsWith("ERROR: "))
                    errors.add(log.matches() ? log.group(1).trim() : l.trim());
                inOutput |= l.matches("^Output\\w* \\d+: .*");
                nan |= inOutput && !log.matches() && NAN.matcher(l).find();
                kernels |= l.contains("Note (XNNPACK): Using ") && l.contains("microkernel");
            }
            List<String> tail = lines.subList(Math.max(0, lines.size() - 3), lines.size()).stream()
                    .map(l -> LOG.matcher(l).replaceFirst("$1").trim()).toList();
            return new RunnerOutput(n, ms, nan, errors, tail, kernels);
        }

        /** A printed number; "nan" and "inf" (as C's printf writes them) become NaN and infinity. */
        private static Double number(String s) {
            String t = s.toLowerCase(Locale.ROOT);
            return t.contains("nan") ? Double.NaN : t.contains("inf") ? (t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                    : Double.valueOf(s);
        }

        /** The runner's own words for a failure: its last error lines, else its last lines. */
        public String why() {
            return String.join(" | ", errors.isEmpty() ? tail : errors.subList(Math.max(0, errors.size() - 3), errors.size()));
        }
    }

    /** Facts about this computer for manifest.json "host": OS, arch, CPU model, cores, SME2 support, Java, tool versions (toolVersions). */
    public static Map<String, Object> hostFacts(String... tools) {
        boolean mac = isMac();
        String cpuinfo = "";
        try {
            if (!mac && Files.isReadable(Path.of("/proc/cpuinfo"))) cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException ignored) {
        }
        var model = Pattern.compile("(?m)^(model name|Hardware|CPU part)\\s*:\\s*(.+)$").matcher(cpuinfo);
        Map<String, Object> t = toolVersions(tools);
        boolean sme2 = mac ? "1".equals(probe("sysctl", "-n", "hw.optional.arm.FEAT_SME2"))
                : Pattern.compile("(?m)^Features\\s*:.*\\bsme2\\b").matcher(cpuinfo).find();
        return ordered("os", System.getProperty("os.name") + " " + System.getProperty("os.version"), "arch", System.getProperty("os.arch"),
                "cpu", mac ? probe("sysctl", "-n", "machdep.cpu.brand_string") : model.find() ? model.group(2).trim() : null,
                "cores", Runtime.getRuntime().availableProcessors(), "sme2", sme2, "java", System.getProperty("java.version"), "tools", t);
    }

    /** The first line of each tool's `--version` (null when it does not run), by tool name. */
    public static Map<String, Object> toolVersions(String... tools) {
        Map<String, Object> t = ordered();
        for (String tool : tools) {
            String v = probe(tool, "--version");
            t.put(tool, v == null ? null : v.lines().findFirst().orElse(""));
        }
        return t;
    }

    /** One process pair a pipeline runs: an experiment at one thread count. */
    public record Step(Experiment exp, int threads) {
        public int runs() { return exp.runs(); }
        public int warmup() { return exp.warmup(); }
        /** What the timed process runs: the warm-up executions, then the timed ones (--num_executions). */
        public int executions() { return exp.warmup() + exp.runs(); }
        public boolean xnntrace() { return exp.mode().equals("xnntrace"); }
        public String label() { return exp.name() + " t" + threads; }
        /** Its folder in a run folder: <experiment>/t<threads>. */
        public Path dir(Path runDir) { return runDir.resolve(exp.name()).resolve("t" + threads); }
    }

    /**
     * What MacPipeline and AndroidPipeline share: their common options (a picocli mixin), the run's state (warnings;
     * stopping and the entry in flight, for the Ctrl-C hook) and the steps before, around and after the runner processes.
     */
    public static final class Pipeline {
        @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
                description = "the profiling config (JSON; keys: configs/config.schema.json)")
        Path configArg;
        @Option(names = "--config", paramLabel = "CONFIG", description = "the config, as an option (instead of the positional CONFIG)")
        Path configOpt;
        @Option(names = "--only", arity = "1..*", split = ",", paramLabel = "EXP",
                description = "run only these experiments (names from the config)")
        List<String> only;
        @Option(names = "--analysis-only", paramLabel = "RUN_DIR", description = "only run AnalyzeResults on this run folder")
        public Path analysisOnly;
        @Option(names = "--resume", paramLabel = "RUN_DIR", description = "run the experiments of this run folder that are not ok yet,"
                + " into the same folder (config: CONFIG or RUN_DIR/config.json)")
        public Path resume;
        @Option(names = "--no-analysis", description = "do not run AnalyzeResults at the end")
        public boolean noAnalysis;
        @Option(names = "--warmup-process", description = "also run the warm-up executions in a separate process before each timed"
                + " process (warms the file cache, not the timed process; the timed process always starts with its own warm-up)")
        public boolean warmupProcess;
        @Option(names = "--workspace", paramLabel = "DIR", description = "the workspace holding executorch/ (for its git SHA);"
                + " default: $SME2_WORKSPACE or the nearest parent folder with executorch/")
        public Path workspace;

        public final List<String> warnings = new ArrayList<>();
        public volatile boolean stopping;
        public volatile Map<String, Object> inFlight;
        private final Io io;
        private final String tool;
        private final boolean device;

        /** tool: the script's name; device: its report shows the manifest's "device". */
        public Pipeline(Io io, String tool, boolean device) {
            this.io = io;
            this.tool = tool;
            this.device = device;
        }

        public void warn(String w) {
            warnings.add(w);
            io.warn(w);
        }

        /** CONFIG or --config (once), else --resume's RUN_DIR/config.json. */
        public Path configPath() {
            if (configArg == null && configOpt == null && only != null && !only.isEmpty() && only.get(only.size() - 1).endsWith(".json"))
                configArg = Path.of(only.remove(only.size() - 1)); // `--only A B config.json`: the config was swallowed by --only
            if (configArg != null && configOpt != null && !configArg.equals(configOpt))
                throw UserError.badInput("two configs given: " + configArg + " and --config " + configOpt, "pass the config once");
            Path p = configArg != null ? configArg : configOpt;
            if (p == null && resume != null) p = resume.resolve("config.json");
            if (p == null)
                throw UserError.badInput("no config given", "pass one: jbang scripts/" + tool + ".java CONFIG (templates: configs/templates/)");
            return p;
        }

        /** The experiments --only names, all without it. */
        public List<Experiment> selected(Config cfg) {
            if (only == null || only.isEmpty()) return cfg.experiments();
            List<String> names = cfg.experiments().stream().map(Experiment::name).toList();
            List<String> unknown = only.stream().filter(n -> !names.contains(n)).toList();
            if (!unknown.isEmpty()) throw UserError.badInput("--only: no experiment named " + some(unknown, MESSAGE_LIST_MAX)
                    + " in " + cfg.file(), "use names from the config: " + some(names, MESSAGE_LIST_MAX));
            return cfg.experiments().stream().filter(e -> only.contains(e.name())).toList();
        }

        public static List<Step> steps(List<Experiment> exps) {
            List<Step> steps = new ArrayList<>();
            for (Experiment e : exps) for (int t : e.threads()) steps.add(new Step(e, t));
            return steps;
        }

        /** The config as it ran: absolute paths ($schema too) and every default written out (only keys the loader accepts). */
        public static ObjectNode resolvedConfig(Config cfg) {
            ObjectNode root = cfg.raw().deepCopy();
            String schema = root.path("$schema").asText("");
            if (!schema.isEmpty() && !schema.contains(":")) root.put("$schema", cfg.file().getParent().resolve(schema).normalize().toString());
            root.put("model", cfg.model().toString());
            root.put("output_root", cfg.outputRoot().toString());
            for (int i = 0; i < root.get("experiments").size(); i++) {
                ObjectNode e = (ObjectNode) root.get("experiments").get(i);
                Experiment x = cfg.experiments().get(i);
                e.put("runner_path", x.runnerPath().toString());
                e.put("mode", x.mode());
                e.put("runs", x.runs());
                e.put("warmup", x.warmup());
                x.threads().forEach(e.putArray("threads")::add);
                e.put("timeout_s", x.timeoutS());
            }
            return root;
        }

        /** The model's file name without its extension. */
        public static String stem(Path model) {
            String n = model.getFileName().toString();
            return n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
        }

        /**
         * The names ExportModel exports with --model: its built-ins and ExecuTorch v1.3.1's example registry
         * (examples/models/__init__.py). Any other name came from --model-file (the class's name in snake_case).
         */
        static final Set<String> EXPORT_MODEL_NAMES = Set.of("toy_cnn", "efficient_sam_untrained", "mul", "linear", "add",
                "add_mul", "softmax", "conv1d", "dl3", "edsr", "emformer_transcribe", "emformer_predict", "emformer_join", "llama2",
                "llama", "llama3_2_vision_encoder", "lstm", "mobilebert", "mv2", "mv2_untrained", "mv3", "vit", "w2l", "ic3", "ic4",
                "resnet18", "resnet50", "llava", "efficient_sam", "qwen2_5_1_5b", "phi_4_mini", "smollm2", "deit_tiny",
                "deep_autoencoder", "ds_cnn", "mobilenet_v1_025", "resnet8", "sdpa");
        static final Pattern EXPORTED_NAME = Pattern.compile("(.+)_(xnnpack|portable)_(fp32|fp16|q8|int8)");  // ExportModel's file names

        /**
         * The ExportModel command for a model path named like models/<model>_<backend>_<dtype>.pte (a q8 name, as other
         * tools spell int8, asks for --dtype int8); a name that is not one of --model's names asks for the model file and
         * the class it was named after. Null for any other file name.
         */
        public static String exportCommandFor(Path model) {
            var m = EXPORTED_NAME.matcher(stem(model));
            if (!m.matches()) return null;
            String tail = (m.group(2).equals("xnnpack") ? "" : " --backend " + m.group(2)) + " --dtype " + (m.group(3).equals("q8") ? "int8" : m.group(3));
            return EXPORT_MODEL_NAMES.contains(m.group(1)) ? "jbang scripts/ExportModel.java --model " + m.group(1) + tail
                    : "jbang scripts/ExportModel.java --model-file <your_model.py> --model-class <the class named " + m.group(1)
                    + " in snake_case>" + tail;
        }

        /** {@link #exportCommandFor}, or an example command for a file name ExportModel does not write. */
        public static String exportCommand(Path model) {
            String command = exportCommandFor(model);
            return command != null ? command : "jbang scripts/ExportModel.java --model mv2 --dtype fp16";
        }

        /** A missing model joins the problems, with the ExportModel command that makes it. */
        public static void checkModel(Config cfg, List<String> problems, Set<String> fixes) {
            if (Files.isRegularFile(cfg.model())) return;
            problems.add(cfg.model() + ": model not found (\"model\" in " + cfg.file() + ")");
            fixes.add("export it: " + exportCommand(cfg.model()) + " (or point \"model\" at an existing .pte)");
        }

        /**
         * Every problem at once: a bad-input error (exit 2), or under --dry-run (a preview) "would fail at step N: …"
         * warnings, each followed by its own fix (place) when it has one, else the fixes after them.
         */
        public List<String> problems(List<String> problems, Set<String> fixes) {
            String all = (problems.size() == 1 ? "" : problems.size() + " problems before running:\n  ") + String.join("\n  ", firstLines(problems));
            if (!problems.isEmpty() && !io.dryRun) throw UserError.badInput(all, String.join("\n     ", fixes));
            for (String p : problems) {
                String[] where = placed.get(p);
                io.warn("would fail" + (where == null ? "" : " at " + where[0]) + ": " + p);
                if (where != null && where[1] != null) io.fix(where[1]);
            }
            if (!problems.stream().allMatch(placed::containsKey)) fixes.forEach(io::fix);
            return problems;
        }

        /** Under --dry-run: where problem stops a real run ("step N (experiment tT)") and the fix of that one problem. */
        private final Map<String, String[]> placed = new LinkedHashMap<>();

        public void place(String problem, String step, String fix) { placed.put(problem, new String[]{step, fix}); }

        /** "step N (name tT)": the first step of experiment e in the order the pipeline runs them. */
        public static String stepOf(List<Experiment> exps, Experiment e) {
            List<Step> steps = steps(exps);
            for (int i = 0; i < steps.size(); i++) if (steps.get(i).exp() == e) return "step " + (i + 1) + " (" + steps.get(i).label() + ")";
            return "step 1";
        }

        /** The model problem checkModel added (if any) stops step 1; its fix is the export command. */
        public void placeModel(Config cfg, List<String> problems) {
            if (!problems.isEmpty() && !Files.isRegularFile(cfg.model()))
                place(problems.get(0), "step 1", "export it: " + exportCommand(cfg.model()) + " (or point \"model\" at an existing .pte)");
        }

        /** The build.json beside an experiment's runner; null when absent or unreadable (a warning). */
        public Map<String, Object> buildJson(Experiment e) {
            Path bj = e.runnerPath().resolveSibling("build.json");
            if (!Files.isRegularFile(bj)) return null;
            try {
                @SuppressWarnings("unchecked") Map<String, Object> b = JSON.convertValue(readJson(bj), LinkedHashMap.class);
                return b;
            } catch (UserError | IllegalArgumentException ex) {
                warn("experiment " + e.name() + ": cannot read " + bj + ": " + ex.getMessage());
                return null;
            }
        }

        public static final String NO_BUILD_JSON = "no build.json beside the runner: its build flags, SME2 setting and ExecuTorch revision"
                + " are unknown (runners built with jbang scripts/BuildRunners.java record them)";

        /** Warns when an experiment's name says SME2 on or off but its runner was built the other way (sme2: ON, OFF or null). */
        public void checkSme2Name(Experiment e, String sme2) {
            String n = e.name().toLowerCase(Locale.ROOT).replace('-', '_');
            if (sme2 != null && (n.contains("sme2_off") && sme2.equals("ON") || n.contains("sme2_on") && sme2.equals("OFF")))
                warn("experiment " + e.name() + ": its name says " + (n.contains("sme2_off") ? "SME2 off" : "SME2 on")
                        + " but its runner was built with XNNPACK_ENABLE_ARM_SME2=" + sme2);
        }

        /**
         * The one-variable rule: warns for each compare pair whose two runners' build.json differ in more than
         * XNNPACK_ENABLE_ARM_SME2/SME (or that lack build.json). builds: build.json per experiment name (null when absent);
         * platform: as in variant() (a "-xnnlog" variant makes the logging flags irrelevant).
         */
        private void checkPairs(Config cfg, Map<String, Map<String, Object>> builds, String platform) {
            for (ComparePair p : cfg.comparePairs()) {
                String a = p.baseline().experiment(), b = p.candidate().experiment();
                if (!builds.containsKey(a) || !builds.containsKey(b)) continue;
                if (builds.get(a) == null || builds.get(b) == null) {
                    warn("compare pair \"" + p.label() + "\": no build.json beside the runner of " + java.util.stream.Stream.of(a, b)
                            .filter(x -> builds.get(x) == null).reduce((x, y) -> x + " and " + y).orElse("")
                            + ", so it is unknown whether the two runners differ only in SME2 flags");
                    continue;
                }
                boolean logging = java.util.stream.Stream.of(cfg.experiment(a), cfg.experiment(b))
                        .anyMatch(x -> x.mode().equals("xnntrace") || variant(x, platform).endsWith("-xnnlog"));
                List<String> diff = buildDiff(builds.get(a), builds.get(b), logging);
                if (!diff.isEmpty()) warn("compare pair \"" + p.label() + "\": the runners of " + a + " and " + b + " differ in more than the SME2 flags: "
                        + String.join("; ", diff) + "; rebuild both with jbang scripts/BuildRunners.java so that only XNNPACK_ENABLE_ARM_SME2/SME differ");
            }
        }

        private static final Set<String> SME_FLAGS = Set.of("XNNPACK_ENABLE_ARM_SME2", "XNNPACK_ENABLE_ARM_SME");

        /** build.json "cmake_flags" without the -D prefix (empty when there is no build record). */
        @SuppressWarnings("unchecked")
        public static Map<String, String> cmakeFlags(Map<String, Object> build) {
            Map<String, String> out = new LinkedHashMap<>();
            if (build != null && build.get("cmake_flags") instanceof Map<?, ?> m)
                ((Map<String, Object>) m).forEach((k, v) -> out.put(k.startsWith("-D") ? k.substring(2) : k, v == null ? null : String.valueOf(v)));
            return out;
        }

        /** One cmake flag of a build record, upper case (ON/OFF), or null. */
        public static String flag(Map<String, Object> build, String name) {
            String v = cmakeFlags(build).get(name);
            return v == null ? null : v.toUpperCase(Locale.ROOT);
        }

        /**
         * How two build records differ apart from XNNPACK_ENABLE_ARM_SME2/SME: cmake flags, compiler, ExecuTorch SHA. With
         * logging=true (an xnnlog variant is involved) the kernel-logging flags (XNN_LOG_LEVEL, XNN_NO_LOGGING) are ignored.
         */
        public static List<String> buildDiff(Map<String, Object> a, Map<String, Object> b, boolean logging) {
            Map<String, String> fa = cmakeFlags(a), fb = cmakeFlags(b);
            List<String> out = new ArrayList<>();
            for (String k : new java.util.TreeSet<>(java.util.stream.Stream.concat(fa.keySet().stream(), fb.keySet().stream()).toList())) {
                String va = fa.get(k), vb = fb.get(k);
                if (SME_FLAGS.contains(k) || java.util.Objects.equals(va, vb)) continue;
                if (logging && (k.contains("XNN_LOG") || java.util.Objects.equals(noLogging(va), noLogging(vb)))) continue;
                out.add("-D" + k + ": " + (va == null ? "(unset)" : va) + " vs " + (vb == null ? "(unset)" : vb));
            }
            for (String k : List.of("compiler", "executorch_sha"))
                if (a.get(k) != null && b.get(k) != null && !a.get(k).equals(b.get(k))) out.add(k + ": " + a.get(k) + " vs " + b.get(k));
            return out;
        }

        private static String noLogging(String v) {
            return v == null ? "" : v.replaceAll("-[DU]XNN_LOG_LEVEL(=\\S*)?|-[DU]XNN_NO_LOGGING", "").trim().replaceAll("\\s+", " ");
        }

        /** --resume's run folder (a warning when it was made for another model), else a new one (none under --dry-run). */
        public RunFolder folder(Config cfg) {
            if (resume != null) {
                RunFolder f = RunFolder.open(resume);
                if (!io.dryRun) f.lock();
                if (!java.util.Objects.equals(f.manifest.get("model"), cfg.model().toString()))
                    warn("the run folder was made for model " + f.manifest.get("model") + ", the config names " + cfg.model());
                return f;
            }
            return io.dryRun ? null : RunFolder.create(cfg.outputRoot(), folderStem(cfg.model()), tool);
        }

        /** The run's folder: f's, else (a dry run of a new run) the one it would create now. */
        public static Path runDir(RunFolder f, Config cfg) {
            return f != null ? f.dir : RunFolder.newDir(cfg.outputRoot(), folderStem(cfg.model()), java.time.Instant.now(), false);
        }

        /** The model's stem made safe as a folder name (it names the run folder, and on Android the device folder). */
        public static String folderStem(Path model) { return safeName(stem(model)); }

        /** A name safe as one folder name: characters other than [A-Za-z0-9_.+-] become _, and "", ".", ".." become "model". */
        public static String safeName(String s) {
            String t = s.replaceAll("[^A-Za-z0-9_.+-]", "_");
            return t.isEmpty() || t.matches("\\.+") ? "model" : t;
        }

        /** The BuildRunners variant of an experiment's runner (platform: host or android-arm64): its cmake-out folder name, else guessed. */
        public static String variant(Experiment e, String platform) {
            Path parent = e.runnerPath().getParent();
            String dir = parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
            if (dir.matches(Pattern.quote(platform) + "-sme2-(on|off)(-xnnlog)?")) return dir;
            String n = e.name().toLowerCase(Locale.ROOT);
            return platform + "-sme2-" + (n.contains("off") ? "off" : "on") + (e.mode().equals("xnntrace") || n.contains("xnnlog") ? "-xnnlog" : "");
        }

        /**
         * manifest "runners": per experiment its path, its build.json (null when absent, with a note), variant, SME2/SME flags,
         * ExecuTorch SHA and extra's keys (before "note"). Warns when a name and its SME2 flag disagree and about compare pairs.
         */
        public Map<String, Object> runnerFacts(Config cfg, List<Experiment> exps, String platform,
                                               java.util.function.Function<Experiment, Map<String, Object>> extra) {
            Map<String, Object> out = ordered();
            Map<String, Map<String, Object>> builds = new LinkedHashMap<>();
            for (Experiment e : exps) {
                Map<String, Object> build = buildJson(e);
                builds.put(e.name(), build);
                String sme2 = flag(build, "XNNPACK_ENABLE_ARM_SME2");
                Map<String, Object> r = ordered("path", e.runnerPath().toString(), "build", build,
                        "build_json", build == null ? null : e.runnerPath().resolveSibling("build.json").toString(),
                        "variant", build == null ? null : build.get("variant"), "sme2_flag", sme2, "sme_flag", flag(build, "XNNPACK_ENABLE_ARM_SME"),
                        "executorch_sha", build == null ? null : build.get("executorch_sha"));
                r.putAll(extra.apply(e));
                r.put("note", build == null ? NO_BUILD_JSON : null);
                out.put(e.name(), r);
                checkSme2Name(e, sme2);
            }
            checkPairs(cfg, builds, platform);
            return out;
        }

        /** Fills the manifest of a new or resumed run (facts: executorch, host …), saves it; returns the steps not ok yet. */
        public List<Step> start(RunFolder f, Config cfg, Path configPath, Supplier<JsonNode> resolved, List<Step> steps,
                                Map<String, Object> facts, Map<String, Object> runners) {
            Map<String, Object> m = f.manifest;
            if (resume == null) {
                m.put("config", configPath.toAbsolutePath().normalize().toString());
                writeJson(f.dir.resolve("config.json"), resolved.get());
            } else {
                @SuppressWarnings("unchecked") List<Object> at = m.get("resumed_at") instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
                at.add(utcNow());
                m.put("resumed_at", at);
            }
            m.put("model", cfg.model().toString());
            m.put("model_sha256", sha256(cfg.model()));
            m.putAll(facts);
            @SuppressWarnings("unchecked") Map<String, Object> known = m.get("runners") instanceof Map<?, ?> r ? (Map<String, Object>) r
                    : ordered();
            known.putAll(runners);
            m.put("runners", known);
            m.put("status", "running");
            List<Step> todo = new ArrayList<>();
            for (Step s : steps) if (!"ok".equals(f.result(s.exp().name(), s.threads(), s.exp().mode()).get("status"))) todo.add(s);
            m.put("warnings", warnings);
            f.save();
            io.step((resume != null ? "resuming " : "running ") + todo.size() + " of " + steps.size() + " experiment run(s) into " + f.dir);
            if (resume != null && todo.isEmpty()) io.ok("every selected experiment is already ok; nothing to run");
            return todo;
        }

        /** Runs body under a shutdown hook (Ctrl-C, SIGTERM) that marks the entry in flight and the run interrupted. */
        public void guarded(RunFolder f, Runnable body) {
            Thread hook = new Thread(() -> {
                stopping = true;
                f.interrupt(inFlight, "interrupted (SIGINT/SIGTERM) while it ran; re-run it with --resume");
                io.err.println(interruptedLine(f));
                io.err.flush();
            }, tool + "-interrupt");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                body.run();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) { // the hook is running: it keeps the manifest
                }
            }
        }

        /** The one line a Ctrl-C or SIGTERM prints: what was kept and the exact command that resumes. */
        public String interruptedLine(RunFolder f) {
            long ok = f.results().stream().filter(r -> "ok".equals(r.get("status"))).count();
            return "interrupted: kept " + ok + " finished result(s) in " + f.dir + "; resume with: " + launcher() + " " + scriptRef(tool + ".java")
                    + " --resume " + shq(f.dir.toString());
        }

        /**
         * Runs the steps (numbered from 1) until stopped; one that throws (e.g. a full disk) fails alone, the others still run.
         * When even its failure cannot be recorded (the manifest cannot be written), the run stops with what to free and how to resume.
         */
        public void runSteps(RunFolder f, List<Step> todo, ObjIntConsumer<Step> run) {
            for (int i = 0; i < todo.size() && !stopping; i++) {
                try {
                    run.accept(todo.get(i), i + 1);
                } catch (RuntimeException ex) {
                    if (stopping) break;
                    try {
                        fail(f, todo.get(i), "pipeline error: " + ex.getMessage() + diskHint(f.dir));
                    } catch (UserError cannotRecord) {
                        throw UserError.failed(cannotRecord.getMessage() + diskHint(f.dir) + "; the run stopped, manifest.json keeps the"
                                + " results recorded before", "free disk space, then resume: " + launcher() + " " + scriptRef(tool + ".java") + " --resume "
                                + shq(f.dir.toString()));
                    }
                }
                inFlight = null;
            }
        }

        /** "; the disk holding DIR is full (N MB free): free space there, then --resume", or "" when it has room. */
        public static String diskHint(Path dir) {
            try {
                long free = Files.getFileStore(dir).getUsableSpace();
                return free >= 16L << 20 ? "" : "; the disk holding " + dir + " is full (" + (free >> 20) + " MB free): free space there,"
                        + " then run again with --resume";
            } catch (IOException e) {
                return "";
            }
        }

        /** A step that did not get to run its runner: failed with the reason. */
        public void fail(RunFolder f, Step s, String why) {
            f.record(f.result(s.exp().name(), s.threads(), s.exp().mode()), "failed", why, null);
            io.fail(s.label() + ": " + why);
        }

        /** Starts step i of n: its entry goes in flight, a progress line, an empty step folder; null when that fails (recorded). */
        public Map<String, Object> begin(RunFolder f, Step s, int i, int n, long t0) {
            Map<String, Object> entry = f.result(s.exp().name(), s.threads(), s.exp().mode());
            inFlight = entry;
            String warmup = s.warmup() > 0 ? s.warmup() + " warm-up + " : "";
            String log = s.xnntrace() ? " with the kernel log" : "";
            io.step(String.format(Locale.ROOT, "[%d/%d] %s: %s%d %s run(s)%s (%.0f s elapsed)", i, n, s.label(), warmup, s.runs(),
                    s.exp().mode(), log, (System.nanoTime() - t0) / 1e9));
            Path dir = s.dir(f.dir);
            Inside in = inside(f.dir, s.exp().name() + "/t" + s.threads());
            if (in.why() != null) {
                f.record(entry, "failed", "the step folder is unsafe, nothing there was touched: " + in.why(), null);
                io.fail(s.label() + ": the step folder is unsafe, nothing there was touched: " + in.why());
                io.fix("remove the link (rm " + shq(f.dir.resolve(s.exp().name()).toString()) + ") and resume");
                return null;
            }
            try {
                deleteTree(dir);
                Files.createDirectories(dir);
                return entry;
            } catch (IOException ex) {
                f.record(entry, "failed", "cannot prepare " + dir + ": " + ex.getMessage(), null);
                return null;
            }
        }

        /**
         * True when the run is stopping. A process that ended like one stopped by the same Ctrl-C (exit 130/143 from
         * SIGINT/SIGTERM, or interrupted before it started) waits a moment for the hook; r null: no process ran.
         */
        public boolean interruptedToo(Result r) {
            boolean killed = r != null && (r.exitCode() == 130 || r.exitCode() == 143 || "interrupted".equals(r.startError()));
            try {
                for (int i = 0; i < 10 && !stopping && killed; i++) Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
            return stopping;
        }

        /** Why a runner process failed, in its own words (starter: what started it); null when it exited 0 with sane output. */
        public static String failure(Result r, RunnerOutput out, int timeoutS, String starter) {
            String said = out.why().isEmpty() ? "" : ": " + out.why();
            if (r.startError() != null) return starter + " could not start: " + r.startError();
            if (r.timedOut()) return "timed out after " + timeoutS + " s (timeout_s)" + (said.isEmpty() ? "" : "; last output" + said);
            String signal = Map.of(2, "SIGINT", 4, "SIGILL: an instruction this CPU lacks (an SME2 build on a CPU without SME2?)", 6, "SIGABRT",
                    9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM").get(r.exitCode() > 128 ? r.exitCode() - 128 : 0);
            if (r.exitCode() != 0)
                return "runner exited with code " + r.exitCode() + (signal == null ? "" : " (killed by " + signal + ")") + said;
            return out.nan() ? "the printed output tensor contains NaN (nan)" : null;
        }

        /** A step's ETDump, read once: why it is unusable (null when usable) and its Method::execute ms per execution (empty when not). */
        public record EtdumpCheck(String why, List<Double> executeMs) {}

        /** Reads a step's ETDump (missing: the reason when there is none); extra Execute blocks are a note. */
        public static EtdumpCheck etdumpCheck(Path etdump, int runs, List<String> notes, String missing) {
            try {
                if (!Files.isRegularFile(etdump)) return new EtdumpCheck(missing, List.of());
                if (Files.size(etdump) == 0) return new EtdumpCheck("the ETDump " + etdump + " is empty", List.of());
                List<Double> ms = etdumpRuns(etdump).executeMs();
                int nan = 0;
                for (int k = ms.size() - 1; k >= 0; k--) if (ms.get(k).isNaN()) nan = k + 1;
                if (ms.size() > runs) notes.add("the ETDump has " + ms.size() + " Execute blocks for " + runs + " executions");
                String why = ms.size() < runs ? "the ETDump has " + ms.size() + " Execute block(s) but " + runs + " execution(s) ran"
                        : nan > 0 ? "Execute block " + nan + " of the ETDump has no Method::execute event" : null;
                return new EtdumpCheck(why, why == null ? ms : List.of());
            } catch (IOException | UserError ex) {
                return new EtdumpCheck("the ETDump cannot be read: " + ex.getMessage(), List.of());
            }
        }

        /** Where the runner's own output disagrees with its ETDump (printed: where it prints, for the note that it printed no total). */
        public static List<String> crossChecks(Step s, RunnerOutput out, List<Double> latency, String printed) {
            List<String> notes = new ArrayList<>();
            double sum = latency.stream().mapToDouble(Double::doubleValue).sum();
            Double rep = out.reportedMs();
            if (rep == null)
                notes.add("the runner printed no \"Model executed successfully\" line" + printed + " to cross-check the ETDump with");
            else if (rep.isNaN() || rep.isInfinite())
                notes.add("the runner printed its total time as " + (rep.isNaN() ? "nan" : "inf") + " ms (\"Model executed successfully … in "
                        + (rep.isNaN() ? "nan" : "inf") + " ms\"), so its own timing is broken; the ETDump's times are used");
            else if (Math.abs(sum - rep) > Math.max(0.5, 0.25 * rep)) notes.add(String.format(Locale.ROOT,
                    "the ETDump's Method::execute total %.3f ms disagrees with the runner's own %.3f ms", sum, rep));
            if (out.executions() != null && out.executions() != s.executions())
                notes.add("the runner says it executed " + out.executions() + " time(s), the pipeline asked for " + s.executions());
            return notes;
        }

        /** Records how a step ended, with its metrics, notes and seconds, and prints it; nothing once the run is stopping. */
        public void done(RunFolder f, Map<String, Object> entry, Step s, String why, List<Double> latency, Double reported, Path xlog,
                         List<String> notes, long started) {
            Path etdump = s.dir(f.dir).resolve("run.etdump"), log = s.dir(f.dir).resolve("runner.log");
            Map<String, Object> m = f.metrics(s.runs(), s.warmup(), s.threads(), latency, reported, Files.isRegularFile(etdump) ? etdump
                    : null, Files.isRegularFile(log) ? log : null, xlog != null && Files.isRegularFile(xlog) ? xlog : null);
            m.put("warnings", notes);
            m.put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
            if (stopping) return;
            if (why != null) why += diskHint(f.dir);
            f.record(entry, why == null ? "ok" : "failed", why, m);
            notes.forEach(nt -> io.warn(s.label() + ": " + nt));
            if (why != null) {
                io.fail(s.label() + ": " + why);
                return;
            }
            String cv = m.get("cv_percent") == null ? "-" : num(m.get("cv_percent"), 1) + "%";
            int steady = ((List<?>) m.get("latency_ms")).size();
            io.ok(s.label() + ": " + String.format(Locale.ROOT, "median %.3f ms (min %.3f, max %.3f, CV %s) over %d run(s)%s (%.1f s)",
                    m.get("median_ms"), m.get("min_ms"), m.get("max_ms"), cv, steady,
                    steady < latency.size() ? " after " + (latency.size() - steady) + " in-process warm-up" : "", (System.nanoTime() - started) / 1e9));
        }

        /** The end of a dry run: the AnalyzeResults command, and under --json the plan (extra: keys and values after run_dir). */
        public int dryRunEnd(Path runDir, List<String> problems, Object... extra) {
            List<String> analysis = noAnalysis ? null : analysisCommand(runDir);
            if (analysis != null) exec(io, Cmd.of(analysis));
            Map<String, Object> plan = ordered("dry_run", true, "run_dir", runDir.toString());
            plan.putAll(ordered(extra));
            plan.putAll(ordered("problems", problems, "warnings", warnings, "commands", io.plannedCommands));
            if (io.json) io.data(plan);
            return OK;   // a preview: the config loaded; what a real run would stop at is reported next to its step
        }

        /** --analysis-only: AnalyzeResults on a run folder, then its report. */
        public int analysisOnly() {
            RunFolder f = RunFolder.open(analysisOnly);
            if (analysisCommand(f.dir) == null) throw UserError.failed("AnalyzeResults.java was not found beside " + tool + ".java",
                    "run it yourself: jbang scripts/AnalyzeResults.java --run-dir " + shq(f.dir.toString()));
            int code = analysis(f.dir);
            if (!io.dryRun) report(f, String.valueOf(f.manifest.get("status")), code == 0 ? "ok" : "failed", code);
            return code;
        }

        /** Ends a run: its status, AnalyzeResults (unless --no-analysis or nothing is ok), the report; returns the exit code. */
        public int end(RunFolder f, long t0) {
            String status = f.finish(), state = "skipped (--no-analysis)";
            io.info(String.format(Locale.ROOT, "finished in %.1f s: %s", (System.nanoTime() - t0) / 1e9, status));
            int analysis = 0;
            if (!noAnalysis && f.results().stream().noneMatch(r -> "ok".equals(r.get("status")))) state = "skipped (no experiment ok)";
            else if (!noAnalysis) {
                analysis = analysis(f.dir);
                state = analysis != 0 ? "failed" : analysisCommand(f.dir) == null ? "not run (AnalyzeResults.java not found)" : "ok";
            }
            int code = "ok".equals(status) && analysis == 0 ? OK : FAILED;
            report(f, status, state, code);
            return code;
        }

        /** Runs AnalyzeResults on the run folder as a process; prints the command instead when it cannot be found. */
        private int analysis(Path runDir) {
            List<String> cmd = analysisCommand(runDir);
            if (cmd == null) {
                io.warn("AnalyzeResults.java was not found beside " + tool + ".java; run the analysis with: jbang scripts/AnalyzeResults.java"
                        + " --run-dir " + shq(runDir.toString()));
                return 0;
            }
            io.step("analysis: " + Cmd.of(cmd).display());
            Result r = exec(io, Cmd.of(cmd).echo(true));
            if (r.ok() || io.dryRun) return 0;
            io.fail("AnalyzeResults failed (exit " + r.exitCode() + (r.startError() != null ? ", " + r.startError() : "")
                    + "); the measurements are kept in " + runDir);
            return FAILED;
        }

        /** `JBANG SCRIPTS/AnalyzeResults.java --run-dir RUN` (jbang on PATH, else ./jbang beside scripts/); null when one is missing. */
        private List<String> analysisCommand(Path runDir) {
            Path scripts = scriptsDir();
            if (scripts == null || !Files.isRegularFile(scripts.resolve("AnalyzeResults.java"))) return null;
            Path jbang = which(System.getenv(), "jbang"), local = scripts.getParent() == null ? null : scripts.getParent().resolve("jbang");
            if (jbang == null && local != null && Files.isExecutable(local)) jbang = local;
            if (jbang == null) return null;
            return List.of(jbang.toString(), scripts.resolve("AnalyzeResults.java").toString(), "--run-dir", runDir.toString());
        }

        /**
         * The scripts' folder. JBang runs a compiled copy from its cache, so the class file says nothing; newer JBang versions pass
         * -Djbang.source / -Djbang.dir, the repository's ./jbang exports JBANG_LAUNCH_CMD, else the nearest scripts/ upwards is used.
         */
        private Path scriptsDir() {
            List<Path> candidates = new ArrayList<>();
            String src = System.getProperty("jbang.source"), dir = System.getProperty("jbang.dir");
            String launcher = System.getenv("JBANG_LAUNCH_CMD");
            if (src != null) candidates.add(Path.of(src).toAbsolutePath().getParent());
            if (dir != null) candidates.add(Path.of(dir));
            if (launcher != null) candidates.add(Path.of(launcher).toAbsolutePath().getParent().resolve("scripts"));
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) candidates.add(p.resolve("scripts"));
            return candidates.stream().filter(p -> p != null && Files.isRegularFile(p.resolve(tool + ".java"))).findFirst()
                    .map(p -> p.toAbsolutePath().normalize()).orElse(null);
        }

        /** A script as the user would type it (shell-quoted): relative to the current folder when below it. */
        private String scriptRef(String name) {
            Path scripts = scriptsDir(), cwd = Path.of("").toAbsolutePath();
            if (scripts == null) return "scripts/" + name;
            return shq(scripts.startsWith(cwd) ? cwd.relativize(scripts.resolve(name)).toString() : scripts.resolve(name).toString());
        }

        /** The summary table (stdout) and the next commands, or one JSON object under --json. */
        private void report(RunFolder f, String status, String analysisState, int code) {
            String run = shq(f.dir.toString());
            List<String> next = new ArrayList<>();
            if (!"ok".equals(status)) next.add(launcher() + " " + scriptRef(tool + ".java") + " --resume " + run);
            next.add(launcher() + " " + scriptRef("ValidateResults.java") + " --results " + run);
            Path html = f.dir.resolve("analysis").resolve("report.html");
            if (Files.isRegularFile(html)) next.add((isMac() ? "open " : "xdg-open ") + shq(html.toString()));
            else next.add(launcher() + " " + scriptRef("AnalyzeResults.java") + " --run-dir " + run);
            Map<?, ?> dev = f.manifest.get("device") instanceof Map<?, ?> d ? d : Map.of();
            if (io.json) {
                Map<String, Object> doc = ordered("run_dir", f.dir.toString(), "status", status, "exit_code", code, "analysis", analysisState);
                if (device) doc.put("device", ordered("serial", dev.get("serial"), "model", dev.get("model"), "sme2", dev.get("sme2")));
                doc.putAll(ordered("results", f.results(), "warnings", f.manifest.getOrDefault("warnings", List.of()), "next", next));
                io.data(doc);
                return;
            }
            PrintStream o = io.out;
            String row = "%-28s %7s  %-11s %10s %9s %9s %7s";
            o.println();
            o.println("Run folder: " + f.dir + "  (status: " + status + ", analysis: " + analysisState + ")");
            if (device) o.println("Device: " + dev.get("serial") + " (" + dev.get("manufacturer") + " " + dev.get("model")
                    + ", SME2 " + dev.get("sme2") + ")");
            o.println(String.format(Locale.ROOT, row, "experiment", "threads", "status", "median ms", "min", "max", "CV %"));
            for (Map<String, Object> r : f.results()) {
                Map<?, ?> m = r.get("metrics") instanceof Map<?, ?> x ? x : Map.of();
                o.println(String.format(Locale.ROOT, row, r.get("experiment"), r.get("threads"), r.get("status"),
                        num(m.get("median_ms"), 3), num(m.get("min_ms"), 3), num(m.get("max_ms"), 3), num(m.get("cv_percent"), 1)));
            }
            for (Map<String, Object> r : f.results()) if (r.get("reason") != null)
                o.println("  " + r.get("experiment") + " t" + r.get("threads") + " " + r.get("status") + ": " + r.get("reason"));
            o.println("Next:");
            next.forEach(x -> o.println("  " + x));
        }

        private static String num(Object v, int digits) {
            return v instanceof Number n ? String.format(Locale.ROOT, "%." + digits + "f", n.doubleValue()) : "-";
        }
    }

    /**
     * What an ExecuTorch checkout needs before BuildRunners' cmake can configure and build it (facts from ExecuTorch v1.3.1):
     * the submodules its options read (one file each that configure or build reads), and torch in the workspace Python
     * (the always-on optimized kernels compile against its headers, found with importlib's find_spec as ExecuTorch's
     * tools/cmake/Utils.cmake does). BuildRunners and ValidateSetup's build stage check both before anything is configured.
     */
    public static final class Prereqs {
        private Prereqs() {}

        /** Submodule path, then the file read from it. ExecuTorch's installer checks only some (not eigen, pocketfft or json). */
        public static final Map<String, String> SUBMODULES = orderedStrings(
                "backends/xnnpack/third-party/XNNPACK", "CMakeLists.txt", "backends/xnnpack/third-party/cpuinfo", "CMakeLists.txt",
                "backends/xnnpack/third-party/pthreadpool", "CMakeLists.txt", "backends/xnnpack/third-party/FXdiv", "CMakeLists.txt",
                "third-party/flatbuffers", "CMakeLists.txt", "third-party/flatcc", "CMakeLists.txt", "third-party/gflags", "CMakeLists.txt",
                "third-party/json", "CMakeLists.txt", "kernels/optimized/third-party/eigen", "blas/single.cpp",
                "third-party/pocketfft", "pocketfft_hdronly.h");

        /** The submodules (of SUBMODULES) whose file is missing in this checkout: empty or never initialised. */
        public static List<String> emptySubmodules(Path executorch) {
            List<String> out = new ArrayList<>();
            SUBMODULES.forEach((dir, file) -> {
                if (!Files.isRegularFile(executorch.resolve(dir).resolve(file))) out.add(dir);
            });
            return out;
        }

        /** The one command that fills exactly these submodules. */
        public static String submoduleFix(Path executorch, List<String> dirs) {
            return "git -C " + shq(executorch.toString()) + " submodule update --init --recursive -- " + String.join(" ", dirs);
        }

        /** Prints {"path", "version"} of the torch that find_spec finds (nulls when there is none); version from torch/version.py. */
        public static final String TORCH_PROBE = String.join("\n",
                "# sme2:torch-probe - the torch ExecuTorch's CMake finds (importlib find_spec, as tools/cmake/Utils.cmake)",
                "import importlib.util, json, os",
                "s = importlib.util.find_spec('torch')",
                "r = {'path': None, 'version': None}",
                "if s is not None and s.submodule_search_locations:",
                "    r['path'] = list(s.submodule_search_locations)[0]",
                "    try:",
                "        for line in open(os.path.join(r['path'], 'version.py')):",
                "            if line.startswith('__version__'):",
                "                r['version'] = line.split('=', 1)[1].strip().strip(chr(39) + chr(34))",
                "    except OSError:",
                "        pass",
                "print(json.dumps(r))");

        /** What TORCH_PROBE found: version and path (null when no torch), or why the probe itself failed. */
        public record Torch(String version, String path, String error) {
            /** "2.12.0+cpu" is 2.12.0; "2.11.0" or a dev build of another version is not. */
            public boolean matches(String pinned) {
                return version != null && pinned != null && (version.equals(pinned) || version.startsWith(pinned + "+"));
            }
        }

        public static Torch torch(Result r) {
            String line = r.stdout() == null ? null : r.stdout().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
            if (!r.ok() || line == null) return new Torch(null, null, r.why());
            try {
                JsonNode n = JSON.readTree(line);
                return new Torch(n.path("version").asText(null), n.path("path").asText(null), null);
            } catch (IOException e) {
                return new Torch(null, null, "unreadable answer: " + cut(line));
            }
        }

        /** The fix for a missing or other torch: the pinned one into the workspace Python. */
        public static String torchFix(Path python, String pinned) {
            return "install the pinned torch into the workspace Python: " + shq(python.toString()) + " -m pip install torch==" + pinned
                    + " (or run SetupRepo, whose ExecuTorch installer installs it), then build again with --clean";
        }

        private static Map<String, String> orderedStrings(String... kv) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
            return java.util.Collections.unmodifiableMap(m);
        }
    }
}
