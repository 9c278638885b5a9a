import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fake ExecuTorch `executor_runner` for tests: the real gflags (see fixtures/runner/executor_runner-help.txt), the
 * real log lines (fixtures/runner/*.log), the real failures (fixtures/runner-errors/), and a valid ETDump with one Default
 * and one Execute block per execution (written with EtdumpWriter, XNNPACK-shaped events of the MobileNetV1-like model).
 * Tests install it as an executable bash wrapper with {@link #install}; the wrapper runs this class with the test JVM's
 * class path. Behaviour is chosen by environment variables (set in the wrapper or by the caller):
 * <ul>
 *   <li>FAKE_RUNNER_VARIANT = sme2-on | sme2-off (default sme2-off): sme2-on runs at half the time and logs SME2 kernels.</li>
 *   <li>FAKE_RUNNER_SCALE = a factor for every execution time (default 1; 1.10 = a 10% slower build).</li>
 *   <li>FAKE_RUNNER_XNNLOG = 1: a kernel-logging build, prints `Note (XNNPACK): Using … microkernel …` lines on stderr.</li>
 *   <li>FAKE_RUNNER_NO_ETDUMP = 1: built without the event tracer: no --etdump_path flag (like -DEXECUTORCH_ENABLE_EVENT_TRACER=OFF).</li>
 *   <li>FAKE_RUNNER_MODE = crash (exit 139 after the first iteration) | hang (sleeps after loading) | exit3 (an execution error,
 *       exit 3) | nan (prints NaN outputs) | noetdump (exits 0 without writing the ETDump) | short (one Execute block too few).</li>
 * </ul>
 * Streams as the real runner on Linux/macOS: ExecuTorch log lines and XNNPACK notes on stderr, output tensors on stdout.
 */
public final class FakeExecutorRunner {
    /** A gflags flag: its name, type (as --help prints it), default, and help text. */
    record Flag(String name, String type, String dflt, String help) {}

    static final List<Flag> FLAGS = List.of(
            new Flag("cpu_threads", "int32", "-1", "Number of CPU threads for inference; -1 picks the number of performant cores."),
            new Flag("data_path", "string", "", "Path to data file (.ptd)."),
            new Flag("etdump_path", "string", "model.etdump", "Write ETDump data to this path."),
            new Flag("inputs", "string", "", "Comma-separated list of input files"),
            new Flag("method_name", "string", "", "Name of the method to run; the first method when empty."),
            new Flag("model_path", "string", "model.pte", "Model serialized in flatbuffer format."),
            new Flag("num_executions", "uint32", "1", "Number of times to run the model."),
            new Flag("output_file", "string", "", "Base name of output file; when not empty outputs are written to files."),
            new Flag("print_output", "string", "summary", "Output printing mode: none, summary or all."),
            new Flag("flagfile", "string", "", "load flags from file"),
            new Flag("fromenv", "string", "", "set flags from the environment"),
            new Flag("tryfromenv", "string", "", "set flags from the environment if present"),
            new Flag("undefok", "string", "", "comma-separated list of flag names that may be unknown"),
            new Flag("tab_completion_columns", "int32", "80", "Number of columns to use in output for tab completion"),
            new Flag("tab_completion_word", "string", "", "bash-style command line flag completion on this value"),
            new Flag("help", "bool", "false", "show help on all flags"),
            new Flag("helpfull", "bool", "false", "show help on all flags -- same as -help"),
            new Flag("helpmatch", "string", "", "show help on modules whose name contains the specified substr"),
            new Flag("helpon", "string", "", "show help on the modules named by this flag value"),
            new Flag("helppackage", "bool", "false", "show help on all modules in the main package"),
            new Flag("helpshort", "bool", "false", "show help on only the main module for this program"),
            new Flag("helpxml", "bool", "false", "produce an xml version of help"),
            new Flag("version", "bool", "false", "show version and build info and exit"));

    private final Map<String, String> env;
    private final PrintStream out, err;
    private final long t0 = System.nanoTime();

    FakeExecutorRunner(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int code = run(System.getenv(), System.out, System.err, args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs the fake with this environment and streams; returns its exit code (hang mode never returns). */
    public static int run(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
        return new FakeExecutorRunner(env, out, err).parseAndRun(args);
    }

    /**
     * Writes an executable bash wrapper `dir/name` that exports env and runs this class with the current JVM and class
     * path (`exec java … FakeExecutorRunner "$@"`, so the wrapper's pid is the fake's). Returns its path.
     */
    public static Path install(Path dir, String name, Map<String, String> env) {
        StringBuilder sb = new StringBuilder("#!/usr/bin/env bash\n");
        env.forEach((k, v) -> sb.append("export ").append(k).append('=').append(Kit.shq(v)).append('\n'));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        sb.append("exec ").append(Kit.shq(java)).append(" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -cp ")
                .append(Kit.shq(System.getProperty("java.class.path"))).append(" FakeExecutorRunner \"$@\"\n");
        try {
            Files.createDirectories(dir);
            Path p = dir.resolve(name);
            Files.writeString(p, sb.toString());
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** gflags' error for an unknown flag, exit 1, exactly as the real runner prints it. */
    static String unknownFlag(String name) { return "ERROR: unknown command line flag '" + name + "'"; }

    private boolean tracer() { return !"1".equals(env.get("FAKE_RUNNER_NO_ETDUMP")); }

    private List<Flag> flags() { return FLAGS.stream().filter(f -> tracer() || !f.name().equals("etdump_path")).toList(); }

    private int parseAndRun(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        flags().forEach(f -> v.put(f.name(), f.dflt()));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) break;
            if (!a.startsWith("-") || a.equals("-")) continue; // gflags leaves positional arguments alone
            String body = a.startsWith("--") ? a.substring(2) : a.substring(1);
            String name = body.contains("=") ? body.substring(0, body.indexOf('=')) : body, value = body.contains("=") ? body.substring(body.indexOf('=') + 1) : null;
            Flag f = flag(name);
            if (f == null && name.startsWith("no") && flag(name.substring(2)) != null && flag(name.substring(2)).type().equals("bool") && value == null) {
                v.put(name.substring(2), "false");
                continue;
            }
            if (f == null) {
                err.println(unknownFlag(name));
                return 1;
            }
            if (value == null && f.type().equals("bool")) value = "true";
            if (value == null) {
                if (i + 1 >= args.length) {
                    err.println("ERROR: flag '" + a + "' is missing its argument; flag description: " + f.help());
                    return 1;
                }
                value = args[++i];
            }
            if (!valid(f, value)) {
                err.println("ERROR: illegal value '" + value + "' specified for " + f.type() + " flag '" + name + "'");
                return 1;
            }
            v.put(name, value);
        }
        if (v.get("help").equals("true") || v.get("helpfull").equals("true")) {
            help();
            return 1;
        }
        return execute(v);
    }

    private Flag flag(String name) { return flags().stream().filter(f -> f.name().equals(name)).findFirst().orElse(null); }

    private static boolean valid(Flag f, String value) {
        try {
            switch (f.type()) {
                case "int32" -> Integer.parseInt(value);
                case "uint32" -> { if (Long.parseLong(value) < 0 || Long.parseLong(value) > 0xffffffffL) return false; }
                case "bool" -> { return List.of("true", "false", "1", "0", "yes", "no", "t", "f", "y", "n").contains(value.toLowerCase(Locale.ROOT)); }
                default -> { }
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** gflags' --help layout: one "Flags from" group per source file (the runner's own first); the caller exits 1. */
    private void help() {
        err.println("executor_runner: Warning: SetUsageMessage() never called");
        List<List<String>> groups = List.of(
                List.of("cpu_threads", "data_path", "etdump_path", "inputs", "method_name", "model_path", "num_executions", "output_file", "print_output"),
                List.of("flagfile", "fromenv", "tryfromenv", "undefok"), List.of("tab_completion_columns", "tab_completion_word"),
                List.of("help", "helpfull", "helpmatch", "helpon", "helppackage", "helpshort", "helpxml", "version"));
        for (List<String> g : groups) {
            out.println("\n  Flags from ");
            for (String name : g) {
                Flag f = flag(name);
                if (f != null) out.println("    -" + f.name() + " (" + f.help() + ") type: " + f.type() + " default: "
                        + (f.type().equals("string") ? "\"" + f.dflt() + "\"" : f.dflt()));
            }
        }
    }

    private String ts() {
        long us = (System.nanoTime() - t0) / 1000;
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%06d", us / 3_600_000_000L, us / 60_000_000 % 60, us / 1_000_000 % 60, us % 1_000_000);
    }

    /** An ExecuTorch log line (stderr): `I 00:00:00.000674 executorch:executor_runner.cpp:374] message`. */
    private void log(char level, String where, String msg) { err.println(level + " " + ts() + " executorch:" + where + "] " + msg); }

    private int execute(Map<String, String> v) {
        String mode = env.getOrDefault("FAKE_RUNNER_MODE", "");
        boolean sme2 = "sme2-on".equals(env.get("FAKE_RUNNER_VARIANT")), xnnlog = "1".equals(env.get("FAKE_RUNNER_XNNLOG"));
        int threads = Integer.parseInt(v.get("cpu_threads"));
        int runs = (int) Long.parseLong(v.get("num_executions"));
        if (xnnlog) err.println("Note (XNNPACK): l1_data_cache_bytes=65536, l1_data_cache_line_size=64, l1_data_cache_associativity=4, l1_data_cache_num_sets=256."
                + " (init_hardware_config, executorch/backends/xnnpack/third-party/XNNPACK/src/configs/hardware-config.c:417)");
        log('I', "executor_runner.cpp:223", "Resetting threadpool with num threads = " + Math.max(0, threads));
        if (threads > 0) log('I', "threadpool.cpp:65", "Resetting threadpool to " + threads + " threads.");
        String modelArg = v.get("model_path");
        Path model = Path.of(modelArg);
        if (!Files.isRegularFile(model)) {
            log('E', "file_data_loader.cpp:104", "Failed to open " + modelArg + ": No such file or directory (2)");
            log('F', "executor_runner.cpp:359", "In function main(), assert failed (file_loader.ok()): FileDataLoader::from() failed: 0x22");
            return 134;
        }
        byte[] head = new byte[8];
        long size;
        try (var in = Files.newInputStream(model)) {
            size = Files.size(model);
            int n = in.readNBytes(head, 0, 8);
            if (size == 0) {
                log('E', "file_data_loader.cpp:149", "File " + modelArg + ": offset 0 + size 64 > file_size_ 0, or overflow detected");
                log('E', "executor_runner.cpp:371", "Failed to parse model file " + modelArg);
                return 1;
            }
            String id = n >= 8 ? new String(head, 4, 4, StandardCharsets.ISO_8859_1) : "";
            if (!id.equals("ET12")) {
                log('E', "program.cpp:168", "Program identifier '" + id.replaceAll("[^\\x20-\\x7e]", "") + "' != expected 'ET12'");
                log('E', "executor_runner.cpp:371", "Failed to parse model file " + modelArg);
                return 1;
            }
        } catch (IOException e) {
            log('E', "executor_runner.cpp:371", "Failed to parse model file " + modelArg);
            return 1;
        }
        log('I', "executor_runner.cpp:374", "Model file " + modelArg + " is loaded.");
        String method = v.get("method_name").isEmpty() ? "forward" : v.get("method_name");
        if (!method.equals("forward")) {
            log('F', "executor_runner.cpp:381", "In function main(), assert failed (method_name_result.ok()): Method " + method + " not found");
            return 134;
        }
        log('I', "executor_runner.cpp:384", "Using method forward");
        log('I', "executor_runner.cpp:435", "Setting up planned buffer 0, size 1232800.");
        if (xnnlog) kernelNotes(sme2);
        log('I', "executor_runner.cpp:466", "Model loaded in " + fmt(3.1 + (size % 97) / 100.0) + " ms.");
        if (mode.equals("hang")) {
            err.flush();
            while (true) sleep(60_000);
        }

        double scale = (sme2 ? 0.5 : 1.0) * Double.parseDouble(env.getOrDefault("FAKE_RUNNER_SCALE", "1"));
        if (threads > 1) scale *= 0.6;
        double[] perRun = new double[runs];
        for (int r = 0; r < runs; r++) perRun[r] = scale * (r == 0 ? 1.4 : 1.0 + 0.04 * (((r * 7919L) % 13) / 13.0 - 0.5));
        int written = mode.equals("short") ? Math.max(0, runs - 1) : runs;
        byte[] etdump = EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), written, perRun).finish();
        List<Double> ms = executeMs(etdump);
        double total = 0;
        for (int r = 0; r < runs; r++) {
            double it = (r < ms.size() ? ms.get(r) : ms.isEmpty() ? 2.0 : ms.get(ms.size() - 1)) + 0.002;
            total += it;
            if (mode.equals("exit3")) {
                log('E', "method.cpp:1384", "Execution of method forward failed with status 0x1");
                log('E', "executor_runner.cpp:520", "Execution of method forward failed with status 0x1");
                return 3;
            }
            if (xnnlog) operatorLines(r == 0);
            log('I', "executor_runner.cpp:524", "Iteration " + (r + 1) + " of " + runs + ": " + fmt(it) + " ms");
            if (mode.equals("crash")) {
                err.flush();
                return 139;
            }
        }
        log('I', "executor_runner.cpp:534", "Model executed successfully " + runs + " time(s) in " + fmt(total) + " ms.");
        if (!v.get("print_output").equals("none")) {
            log('I', "executor_runner.cpp:543", "1 outputs: ");
            printOutput(mode.equals("nan"));
        }
        if (!tracer() || mode.equals("noetdump")) return 0;
        String path = v.get("etdump_path");
        try {
            Files.write(Path.of(path), etdump);
        } catch (IOException | RuntimeException e) {
            log('E', "executor_runner.cpp:149", "Failed to open ETDump file at " + path + ".");
            log('F', "executor_runner.cpp:612", "In function main(), assert failed (status == Error::Ok): Failed to save ETDump file.");
            return 134;
        }
        log('I', "executor_runner.cpp:157", "ETDump written to file '" + path + "'.");
        return 0;
    }

    /** The Method::execute ms of each Execute block, read back with Kit so the log agrees with the ETDump. */
    private static List<Double> executeMs(byte[] etdump) {
        try {
            Path tmp = Files.createTempFile("fake-runner", ".etdump");
            try {
                Files.write(tmp, etdump);
                return Kit.etdumpRuns(tmp).executeMs();
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String fmt(double ms) { return String.format(Locale.ROOT, "%f", ms); }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Output summary as the real runner prints it (stdout): the first and last values of a [1, 1000] tensor. */
    private void printOutput(boolean nan) {
        out.println("OutputX 0: tensor(sizes=[1, 1000], [");
        java.util.Random rnd = new java.util.Random(7);
        for (int line = 0; line < 20; line++) {
            if (line == 10) out.println("  ...,");
            StringBuilder sb = new StringBuilder("  ");
            for (int i = 0; i < 10; i++) sb.append(nan ? "nan" : String.format(Locale.ROOT, "%g", rnd.nextGaussian() * 0.4)).append(", ");
            out.println(sb);
        }
        out.println("])");
    }

    /** The XNNPACK kernel notes a kernel-logging build prints while it sets the model up (stderr). */
    private void kernelNotes(boolean sme2) {
        String cfg = "executorch/backends/xnnpack/third-party/XNNPACK/src/configs/";
        List<String[]> k = new ArrayList<>();
        k.add(new String[]{"copy", "xnn_xx_copy_ukernel__scalar_memcpy", "init_transpose_config", "transpose-config.c:90"});
        k.add(new String[]{"transposec", "xnn_x32_transposec_ukernel__4x4_aarch64_neon_tbl128", "init_transpose_config", "transpose-config.c:97"});
        if (sme2) {
            k.add(new String[]{"gemm", "xnn_pf32_gemm_minmax_ukernel_1x32__neonsme2", "init_pf32_gemm_config", "gemm-config.c:1014"});
            k.add(new String[]{"gemm", "xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2", "init_pf32_gemm_config", "gemm-config.c:1015"});
            k.add(new String[]{"igemm", "xnn_pf32_igemm_minmax_ukernel_32x32__neonsme2", "init_pf32_igemm_config", "gemm-config.c:1043"});
            k.add(new String[]{"pack_lh", "xnn_x32_pack_lh_ukernel__neonsme2", "init_x32_pack_lh_config", "pack-lh-config.c:43"});
        } else {
            k.add(new String[]{"gemm", "xnn_f32_gemm_minmax_ukernel_6x8__aarch64_neonfma_lane_ld128", "init_f32_gemm_config_impl", "gemm-config.c:1680"});
            k.add(new String[]{"igemm", "xnn_f32_igemm_minmax_ukernel_6x8__aarch64_neonfma_lane_ld128", "init_f32_gemm_config_impl", "gemm-config.c:1681"});
        }
        k.add(new String[]{"dwconv", "xnn_f32_dwconv_minmax_ukernel_9p8c__neonfma", "init_f32_dwconv_config", "dwconv-config.c:212"});
        for (String[] e : k) err.println("Note (XNNPACK): Using " + e[0] + " microkernel '" + e[1] + "'. (" + e[2] + ", " + cfg + e[3] + ")");
    }

    /**
     * A level-5 build's per-operator debug lines on stdout (XNNPACK's xnn_log_debug): at the first execution a reshape
     * line per operator, then a run line per operator ("skip running" for the static reshape), as runtime.c and
     * operator-run.c print them.
     */
    private void operatorLines(boolean reshape) {
        String x = " (%s, executorch/backends/xnnpack/third-party/XNNPACK/src/%s)";
        List<EtdumpWriter.XnnOp> ops = EtdumpWriter.mobilenetLikeOps();
        for (int i = 0; reshape && i < ops.size(); i++) {
            String name = ops.get(i).type(), type = name.substring(0, name.lastIndexOf(')') + 1);
            out.println("Debug (XNNPACK): reshaping operator " + i + " (" + type + ")" + String.format(x, "xnn_reshape_runtime", "runtime.c:875"));
        }
        for (int i = 0; i < ops.size(); i++) {
            String name = ops.get(i).type();
            boolean skip = name.startsWith("Static Reshape");
            String inner = name.endsWith(")") ? name + (name.startsWith("Transpose") ? " Transpose" : " Default") : name;
            out.println("Debug (XNNPACK): " + (skip ? "skip " : "") + "running operator " + i + ":0 (" + inner + ")"
                    + String.format(x, "xnn_run_operator_with_index", "operator-run.c:" + (skip ? 1902 : 1897)));
        }
    }
}
