///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//DESCRIPTION Runs the experiments of a profiling config on an Android device over adb into a new run folder, then analyses it.

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

@Command(name = "AndroidPipeline", mixinStandardHelpOptions = true, version = "0.1.0",
        description = {"Runs the experiments of a profiling config on an Android device over adb",
                "and writes a new run folder on this computer, like MacPipeline (README",
                "\"The run folder\"). First it checks the device: one device online, arm64-v8a,",
                "SME2 in /proc/cpuinfo, thermal state and power settings; its facts go into",
                "manifest.json \"device\". It pushes the model, the runners and libc++_shared.so",
                "to <workdir>/<run folder>/, then per experiment and thread count runs a",
                "warm-up process and one timed executor_runner process there (LD_LIBRARY_PATH",
                "set; taskset MASK with cpu_affinity), pulls the ETDump back and keeps the",
                "runner's logcat lines (tag ExecuTorch; tag XNNPACK into xnntrace.log for",
                "xnntrace experiments). logcat is cleared before every runner process;",
                "with xnntrace experiments its buffer is first set to 16M (adb logcat -G;",
                "XNNPACK's level-5 log can overflow the default), recorded in the",
                "manifest's device.logcat_buffer.",
                "Transient adb failures are retried; a device lost mid-run fails the",
                "experiments from then on and keeps the finished ones (--resume later).",
                "The run's device folder is removed at the end unless --keep-device-files."},
        footerHeading = "%nExamples:%n",
        footer = {"  jbang scripts/AndroidPipeline.java my_config.json",
                "  jbang scripts/AndroidPipeline.java my_config.json --serial R5CT1234ABC",
                "  jbang scripts/AndroidPipeline.java my_config.json --only android_sme2_on",
                "  jbang scripts/AndroidPipeline.java my_config.json --remote-device 10.0.0.5:5555",
                "  jbang scripts/AndroidPipeline.java my_config.json --dry-run",
                "  jbang scripts/AndroidPipeline.java --resume runs/android/RUN_FOLDER",
                "  jbang scripts/AndroidPipeline.java --analysis-only runs/android/RUN_FOLDER",
                "Put CONFIG before --only (or use --config CONFIG): --only takes every",
                "name that follows it. Templates: configs/templates/android_template.json."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every experiment ran ok (and the analysis, when it ran)", "1:an experiment or the analysis failed (or the device was lost)",
                "2:bad input: config, model, runner, libc++_shared.so or device problems (nothing ran)",
                "130:interrupted (Ctrl-C); the run folder keeps what finished"})
public class AndroidPipeline implements Callable<Integer> {
    static final String TOOL = "AndroidPipeline", LIBCXX = "libc++_shared.so", PLATFORM = "android-arm64";
    static final List<String> POWER_KEYS = List.of("stay_on_while_plugged_in", "low_power", "window_animation_scale", "transition_animation_scale",
            "animator_duration_scale");
    private final Kit.Io io;

    AndroidPipeline(Kit.Io io) {
        this.io = io;
        pipe = new Kit.Pipeline(io, TOOL, true);
    }

    @Mixin
    final Kit.Pipeline pipe; // CONFIG, --config, --only, --analysis-only, --resume, --no-analysis, --workspace
    @Option(names = "--serial", paramLabel = "SERIAL", description = "the device to use (adb devices); overrides device.serial of the config and $ANDROID_SERIAL")
    String serialOpt;
    @Option(names = "--remote-device", paramLabel = "HOST:PORT", description = "a device on the network: runs adb connect HOST:PORT first; overrides device.remote")
    String remoteOpt;
    @Option(names = "--keep-device-files", description = "leave the pushed files and the ETDumps on the device (default: remove the run's device folder)")
    boolean keepDeviceFiles;
    @Option(names = "--adb", paramLabel = "PATH", description = "the adb to use; default: adb on PATH, else $ANDROID_HOME/platform-tools/adb")
    Path adbOpt;
    @Option(names = "--ndk", paramLabel = "DIR", description = "the Android NDK, for libc++_shared.so when it is not beside the runner; default: $ANDROID_NDK")
    Path ndkOpt;
    @Option(names = "--dry-run", description = "check the device (read-only adb queries) and print every adb command it would run; change nothing")
    boolean dryRun;
    @Option(names = "--json", description = "print one JSON object on stdout (run folder, status, device, results); progress stays on stderr")
    boolean json;
    @Option(names = "--verbose", description = "show each adb command and the runner's output as it runs")
    boolean verbose;
    @Option(names = "--retry-delay-ms", hidden = true, defaultValue = "1000", description = "first delay before retrying a transient adb failure (doubles each time)")
    long retryDelayMs;
    @Option(names = "--retries", hidden = true, defaultValue = "3", description = "retries of a transient adb failure")
    int retries;

    /** A line of `adb devices -l`. */
    record AdbDevice(String serial, String state, Map<String, String> attrs) {
        String describe() { return serial + " (" + state + (attrs.containsKey("model") ? ", " + attrs.get("model") : "") + ")"; }
    }

    /** Where everything lives on the device: the run's folder, the model, libc++_shared.so and each runner (by its host path). */
    record Layout(String dir, String model, String lib, Map<Path, String> runners) {
        String stepDir(Kit.Step s) { return dir + "/" + s.exp().name() + "/t" + s.threads(); }

        String runner(Kit.Experiment e) { return runners.get(e.runnerPath()); }
    }

    /** An adb call: its result, and adbError when adb itself failed (not the command it ran). */
    record Call(Kit.Result r, String adbError) {
        boolean ok() { return r.ok() && adbError == null; }

        String out() { return r.output(); }
    }

    /**
     * How a runner process ended: why it failed (null: ok), its parsed output, whether adb failed, the result of the last
     * process it ran (the runner, or the adb call that failed; a Ctrl-C shows there) and the XNNPACK log it wrote (null: none).
     */
    record Outcome(String why, Kit.RunnerOutput out, boolean adbFailed, Kit.Result last, String xnntrace) {}

    private Adb adb;
    private Layout lay;
    private final Map<Path, String> runnerProblems = new LinkedHashMap<>();

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new AndroidPipeline(io), args);
    }

    @Override
    public Integer call() {
        io.json = json;
        io.dryRun = dryRun;
        io.verbose = verbose;
        if (pipe.analysisOnly != null) return pipe.analysisOnly();
        Path configPath = pipe.configPath();
        Kit.Config cfg = Kit.loadConfig(configPath);
        List<Kit.Experiment> exps = pipe.selected(cfg);
        List<Kit.Step> steps = Kit.Pipeline.steps(exps);
        String workdir = workdir(cfg);
        Path libcxx = libcxx(exps);
        List<String> problems = preflight(cfg, exps, libcxx, workdir);
        adb = new Adb(io, adbPath(), Math.max(1, retries + 1), Math.max(0, retryDelayMs));
        Map<String, Object> device = selectAndCheckDevice(cfg, problems);

        Kit.RunFolder f = pipe.folder(cfg);
        try (f) { // holds the run folder's lock until the end
            return run(cfg, configPath, f, steps, workdir, libcxx, problems, device, exps);
        }
    }

    private int run(Kit.Config cfg, Path configPath, Kit.RunFolder f, List<Kit.Step> steps, String workdir, Path libcxx, List<String> problems,
                    Map<String, Object> device, List<Kit.Experiment> exps) {
        Path runDir = Kit.Pipeline.runDir(f, cfg);
        lay = layout(workdir, runDir.getFileName().toString(), cfg.model(), exps);
        device.put("workdir", workdir);
        device.put("device_dir", lay.dir());
        if (dryRun) return dryRun(cfg, steps, runDir, f, libcxx, problems);

        List<Kit.Step> todo = startRun(cfg, configPath, f, steps, device, exps);
        long t0 = System.nanoTime();
        pipe.guarded(f, () -> {
            String prepared = todo.isEmpty() ? null : prepareSafely(cfg, libcxx, exps);
            pipe.runSteps(f, todo, (s, i) -> {
                if (prepared != null) pipe.fail(f, s, prepared);
                else runStep(cfg, f, s, i, todo.size(), t0);
            });
            if (!pipe.stopping) cleanup(f, device);
        });
        return pipe.end(f, t0);
    }

    // ---------------------------------------------------------------- inputs

    private String workdir(Kit.Config cfg) {
        String w = cfg.device() == null || cfg.device().workdir() == null ? Kit.DEFAULT_DEVICE_WORKDIR : cfg.device().workdir();
        while (w.length() > 1 && w.endsWith("/")) w = w.substring(0, w.length() - 1);
        return w;
    }

    /** The config as it ran, with the device it ran on. */
    private ObjectNode resolvedConfig(Kit.Config cfg) {
        ObjectNode root = Kit.Pipeline.resolvedConfig(cfg);
        ObjectNode dev = root.putObject("device");
        if (adb.serial != null) dev.put("serial", adb.serial);
        if (remote(cfg) != null) dev.put("remote", remote(cfg));
        dev.put("workdir", workdir(cfg));
        return root;
    }

    // ---------------------------------------------------------------- checks on this computer

    /** Model, runners, libc++_shared.so, workdir: every problem at once (exit 2), each with the command that fixes it. */
    private List<String> preflight(Kit.Config cfg, List<Kit.Experiment> exps, Path libcxx, String workdir) {
        List<String> problems = new ArrayList<>();
        Set<String> fixes = new LinkedHashSet<>();
        Kit.Pipeline.checkModel(cfg, problems, fixes);
        pipe.placeModel(cfg, problems);
        Set<Path> checked = new LinkedHashSet<>();
        for (Kit.Experiment e : exps) {
            Path r = e.runnerPath();
            if (!checked.add(r)) continue;
            if (!Files.exists(r)) problems.add("experiment " + e.name() + ": runner " + r + " not found");
            else if (!Files.isRegularFile(r)) problems.add("experiment " + e.name() + ": runner " + r + " is not a file");
            if (!Files.isRegularFile(r)) fixes.add("build it: jbang scripts/BuildRunners.java --variants " + Kit.Pipeline.variant(e, PLATFORM));
            if (!Files.isRegularFile(r)) pipe.place(problems.get(problems.size() - 1), Kit.Pipeline.stepOf(exps, e), "build it: jbang scripts/BuildRunners.java --variants " + Kit.Pipeline.variant(e, PLATFORM));
        }
        if (libcxx == null && !checked.isEmpty()) {
            String ndk = ndkHome();
            problems.add(LIBCXX + " not found beside the runner" + (checked.size() == 1 ? "" : "s") + " (" + checked.stream().map(p -> String.valueOf(p.getParent()))
                    .distinct().collect(Collectors.joining(", ")) + ") nor in the NDK (" + (ndk == null ? "ANDROID_NDK is not set" : ndk) + ")");
            fixes.add("build the runners with jbang scripts/BuildRunners.java (it copies " + LIBCXX + " beside them), or export ANDROID_NDK=<your NDK> (or pass --ndk DIR)");
            pipe.place(problems.get(problems.size() - 1), "step 1", fixes.stream().reduce((x, y) -> y).orElse(null));
        }
        if (workdir.contains(":") || workdir.contains("\n")) {
            problems.add("device.workdir " + Kit.shq(workdir) + " contains ':' or a newline, which LD_LIBRARY_PATH cannot hold");
            fixes.add("use a plain folder such as " + Kit.DEFAULT_DEVICE_WORKDIR);
        }
        return pipe.problems(problems, fixes);
    }

    /** libc++_shared.so beside a runner (BuildRunners copies it there), else from the NDK; null when neither has it. */
    private Path libcxx(List<Kit.Experiment> exps) {
        for (Kit.Experiment e : exps) {
            Path p = e.runnerPath().resolveSibling(LIBCXX);
            if (Files.isRegularFile(p)) return p;
        }
        String ndk = ndkHome();
        if (ndk == null) return null;
        Path prebuilt = Path.of(ndk, "toolchains", "llvm", "prebuilt");
        if (!Files.isDirectory(prebuilt)) return null;
        try (Stream<Path> hosts = Files.list(prebuilt)) {
            return hosts.sorted().map(h -> h.resolve("sysroot/usr/lib/aarch64-linux-android").resolve(LIBCXX)).filter(Files::isRegularFile)
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private String ndkHome() {
        if (ndkOpt != null) return ndkOpt.toAbsolutePath().normalize().toString();
        for (String v : List.of("ANDROID_NDK", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT")) {
            String s = System.getenv(v);
            if (s != null && !s.isBlank()) return s;
        }
        return null;
    }

    /** --adb, else adb on PATH, else the SDK's platform-tools ($ANDROID_HOME, $ANDROID_SDK_ROOT, the default SDK folders). */
    private String adbPath() {
        if (adbOpt != null) {
            if (!Files.isRegularFile(adbOpt) || !Files.isExecutable(adbOpt))
                throw Kit.UserError.badInput("--adb " + adbOpt + ": not an executable file", "pass the path of adb (platform-tools/adb)");
            return adbOpt.toAbsolutePath().toString();
        }
        Path onPath = Kit.which(System.getenv(), "adb");
        if (onPath != null) return onPath.toString();
        List<Path> candidates = new ArrayList<>();
        for (String v : List.of("ANDROID_HOME", "ANDROID_SDK_ROOT")) if (System.getenv(v) != null) candidates.add(Path.of(System.getenv(v), "platform-tools", "adb"));
        String home = System.getProperty("user.home");
        candidates.add(Path.of(home, Kit.isMac() ? "Library/Android/sdk" : "Android/Sdk", "platform-tools", "adb"));
        for (Path p : candidates) if (Files.isRegularFile(p) && Files.isExecutable(p)) return p.toString();
        if (dryRun) {
            adbMissing = true;
            io.warn("would fail at step 1: adb not found (not on PATH, nor in $ANDROID_HOME/platform-tools); the commands below say adb");
            io.fix(INSTALL_ADB);
            return "adb";
        }
        throw Kit.UserError.badInput("adb not found (not on PATH, nor in $ANDROID_HOME/platform-tools)", INSTALL_ADB);
    }

    private static final String INSTALL_ADB = "install the Android platform-tools (macOS: brew install --cask android-platform-tools; Linux: the SDK's platform-tools) and add them to PATH, or pass --adb PATH";
    /** --dry-run without adb: the device is not asked (no adb to ask), the commands say SERIAL. */
    private boolean adbMissing;

    // ---------------------------------------------------------------- the device

    private String remote(Kit.Config cfg) { return remoteOpt != null ? remoteOpt : cfg.device() == null ? null : cfg.device().remote(); }

    /**
     * Connects (--remote-device), chooses the device and checks it: online, arm64-v8a; warns about SME2, the emulator, the
     * Android version, thermal state, battery and power settings. Returns the manifest "device" object. Under --dry-run a
     * device problem becomes one of the problems (exit 2) and the commands still print with the serial known so far.
     */
    private Map<String, Object> selectAndCheckDevice(Kit.Config cfg, List<String> problems) {
        String remote = remote(cfg);
        if (remote != null && !Kit.REMOTE.matcher(remote).matches())
            throw Kit.UserError.badInput("--remote-device " + remote + ": not HOST:PORT", "write it like 192.168.1.20:5555");
        String wanted = serialOpt != null ? serialOpt : cfg.device() != null && cfg.device().serial() != null ? cfg.device().serial()
                : remote != null ? remote : blankToNull(System.getenv("ANDROID_SERIAL"));
        if (adbMissing) {
            adb.serial = wanted != null ? wanted : "SERIAL";
            return Kit.ordered("serial", adb.serial, "remote", remote);
        }
        try {
            if (remote != null) connect(remote);
            if (dryRun && remote != null && parseDevices(adb.query(Duration.ofSeconds(60), "devices", "-l").out()).stream().noneMatch(x -> x.serial().equals(wanted))) {
                io.info("device " + wanted + " is not connected yet (adb connect " + remote + " would connect it); not checked");
                adb.serial = wanted;
                return Kit.ordered("serial", wanted, "remote", remote);
            }
            AdbDevice d = chooseDevice(wanted);
            adb.serial = d.serial();
            io.step("device " + d.describe());
            return deviceFacts(d, remote);
        } catch (Kit.UserError e) {
            if (!dryRun) throw e;
            problems.add(e.getMessage());
            io.warn("would fail: " + e.getMessage());
            if (e.fix != null) io.fix(e.fix);
            adb.serial = wanted != null ? wanted : adb.serial != null ? adb.serial : "SERIAL";
            return Kit.ordered("serial", adb.serial, "remote", remote);
        }
    }

    private void connect(String remote) {
        if (dryRun) {
            adb.act(Duration.ofSeconds(60), "connect", remote);
            return;
        }
        io.step("adb connect " + remote);
        Call c = adb.query(Duration.ofSeconds(60), "connect", remote);
        String out = c.out().trim();
        if (!c.r().ok() || !(out.startsWith("connected to") || out.startsWith("already connected to")))
            throw Kit.UserError.badInput("adb connect " + remote + " failed: " + firstLine(out.isEmpty() ? c.adbError() : out),
                    "on the device enable wireless debugging (or run adb tcpip 5555 over USB), check HOST:PORT and that both are on the same network");
        io.ok(firstLine(out));
    }

    private AdbDevice chooseDevice(String wanted) {
        Call c = adb.query(Duration.ofSeconds(60), "devices", "-l");
        if (!c.ok()) throw Kit.UserError.badInput("`adb devices -l` failed: " + why(c), "restart the adb server: adb kill-server && adb start-server");
        List<AdbDevice> all = parseDevices(c.out());
        String listed = all.isEmpty() ? "none" : all.stream().map(AdbDevice::describe).collect(Collectors.joining(", "));
        String connectFix = "connect a device with USB debugging on (Settings > Developer options) and accept the prompt, or use --remote-device HOST:PORT; then check: adb devices -l";
        if (wanted != null) {
            AdbDevice d = all.stream().filter(x -> x.serial().equals(wanted)).findFirst().orElse(null);
            if (d == null) throw Kit.UserError.badInput("device " + wanted + " is not connected (adb devices lists: " + listed + ")", connectFix);
            if (!d.state().equals("device")) throw Kit.UserError.badInput("device " + wanted + " is " + d.state(), stateFix(d.state()));
            return d;
        }
        List<AdbDevice> online = all.stream().filter(x -> x.state().equals("device")).toList();
        if (online.size() > 1)
            throw Kit.UserError.badInput(online.size() + " devices are online: " + online.stream().map(AdbDevice::describe).collect(Collectors.joining(", ")),
                    "choose one with --serial SERIAL (e.g. --serial " + online.get(0).serial() + "), or set \"device\": {\"serial\": ...} in the config");
        if (online.isEmpty()) throw Kit.UserError.badInput(all.isEmpty() ? "no Android device connected (adb devices lists none)"
                : "no device online (adb devices lists: " + listed + ")", all.size() == 1 ? stateFix(all.get(0).state()) : connectFix);
        return online.get(0);
    }

    private static String stateFix(String state) {
        return switch (state) {
            case "unauthorized" -> "unlock the device and accept the 'Allow USB debugging' prompt, then run this again";
            case "offline" -> "reconnect it: adb reconnect (or replug the cable), then check adb devices -l";
            default -> "reconnect the device, then check adb devices -l";
        };
    }

    static List<AdbDevice> parseDevices(String out) {
        List<AdbDevice> list = new ArrayList<>();
        for (String line : out.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("*") || t.startsWith("List of devices") || t.startsWith("adb ")) continue;
            String[] parts = t.split("\\s+");
            if (parts.length < 2) continue;
            Map<String, String> attrs = new LinkedHashMap<>();
            for (int i = 2; i < parts.length; i++) {
                int c = parts[i].indexOf(':');
                if (c > 0) attrs.put(parts[i].substring(0, c), parts[i].substring(c + 1));
            }
            list.add(new AdbDevice(parts[0], parts[1], attrs));
        }
        return list;
    }

    /** The manifest "device" object: what the device is, its CPUs, thermal state, battery and power settings; warns and checks. */
    private Map<String, Object> deviceFacts(AdbDevice d, String remote) {
        Map<String, String> props = parseProps(adb.shellQuery(List.of("getprop")));
        String abi = props.get("ro.product.cpu.abi");
        if (abi != null && !abi.equals("arm64-v8a"))
            throw Kit.UserError.badInput("device " + d.serial() + " is " + abi + " (getprop ro.product.cpu.abi), but the runners are arm64-v8a builds",
                    "use an arm64 device (Armv9 with SME2 to measure SME2)");
        String cpuinfo = adb.shellQuery(List.of("cat", "/proc/cpuinfo"));
        List<String> features = features(cpuinfo);
        Map<String, Object> power = powerSettings();
        Map<String, Object> f = Kit.ordered("serial", d.serial(), "remote", remote, "transport", d.attrs(),
                "model", props.get("ro.product.model"), "manufacturer", props.get("ro.product.manufacturer"),
                "soc", firstNonNull(props.get("ro.soc.model"), props.get("ro.board.platform"), props.get("ro.hardware")),
                "soc_manufacturer", props.get("ro.soc.manufacturer"), "board_platform", props.get("ro.board.platform"), "abi", abi,
                "fingerprint", props.get("ro.build.fingerprint"), "android_version", props.get("ro.build.version.release"),
                "sdk", intOrNull(props.get("ro.build.version.sdk")), "emulator", "1".equals(props.get("ro.kernel.qemu")) || "1".equals(props.get("ro.boot.qemu")),
                "kernel", firstLine(adb.shellQuery(List.of("uname", "-a"))), "cpu_features", features, "sme2", features == null ? null : features.contains("sme2"),
                "cpus", cpus(), "thermal", thermal(), "battery", battery(), "power", power, "adb", firstLine(adb.query(Duration.ofSeconds(30), "version").out()));
        checkDevice(f, power);
        return f;
    }

    private void checkDevice(Map<String, Object> f, Map<String, Object> power) {
        String who = "device " + f.get("serial") + (f.get("model") != null ? " (" + f.get("model") + ")" : "");
        if (f.get("sme2") == null) pipe.warn(who + ": cannot read the CPU features in /proc/cpuinfo, so SME2 support is unknown");
        else if (Boolean.FALSE.equals(f.get("sme2")))
            pipe.warn(who + " has no sme2 in the Features of its /proc/cpuinfo: SME2-on runners fall back to NEON kernels there, so SME2-on results will equal SME2-off");
        if (Boolean.TRUE.equals(f.get("emulator"))) pipe.warn(who + " is an emulator (ro.kernel.qemu = 1): its timings say nothing about a phone's CPU; use a physical device");
        if (f.get("sdk") instanceof Integer sdk && sdk < 24) pipe.warn(who + " runs Android " + f.get("android_version") + " (API " + sdk + "): the runners need API 24 or newer");
        if (f.get("thermal") instanceof Map<?, ?> t && t.get("status") instanceof Integer st && st > 0)
            pipe.warn(who + ": thermal status " + st + " (" + t.get("status_name") + "): the CPU may be throttled; let the device cool (adb shell dumpsys thermalservice) and re-run");
        if (f.get("battery") instanceof Map<?, ?> b && b.get("level") instanceof Integer lv && lv < 20)
            pipe.warn(who + ": battery at " + lv + "%: power saving may lower the CPU frequencies; charge it first");
        if (power == null) pipe.warn(who + ": cannot read the power settings (settings get global ...); check them by hand: stay-awake on, low_power 0, animation scales 0");
        else powerWarnings(who, String.valueOf(f.get("serial")), power);
        io.info(f.get("manufacturer") + " " + f.get("model") + ", SoC " + f.get("soc") + ", Android " + f.get("android_version") + " (API " + f.get("sdk") + "), SME2 "
                + (Boolean.TRUE.equals(f.get("sme2")) ? "yes" : f.get("sme2") == null ? "unknown" : "no"));
    }

    /** The Learning Path's settings for stable timings: stay awake, no battery saver, no animations. */
    private void powerWarnings(String who, String serial, Map<String, Object> p) {
        String adbS = "adb -s " + Kit.shq(serial) + " shell ";
        Object stay = p.get("stay_on_while_plugged_in");
        if (stay == null || "0".equals(stay))
            pipe.warn(who + ": stay-awake is off (settings get global stay_on_while_plugged_in = " + stay + "): the screen may sleep and the CPU slow down during a run; set it with: "
                    + adbS + "svc power stayon usb");
        if ("1".equals(p.get("low_power")))
            pipe.warn(who + ": battery saver is on (settings get global low_power = 1): it lowers the CPU frequencies; turn it off with: " + adbS + "settings put global low_power 0");
        List<String> on = POWER_KEYS.subList(2, 5).stream().filter(k -> !isZero(p.get(k))).toList();
        if (!on.isEmpty())
            pipe.warn(who + ": animations are on (" + on.stream().map(k -> k + " = " + p.get(k)).collect(Collectors.joining(", ")) + "): turn them off with: "
                    + on.stream().map(k -> adbS + "settings put global " + k + " 0").collect(Collectors.joining(" && ")));
    }

    private static boolean isZero(Object v) {
        try {
            return v != null && Double.parseDouble(v.toString()) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private Map<String, Object> powerSettings() {
        String script = "for k in " + String.join(" ", POWER_KEYS) + "; do echo \"$k=$(settings get global $k)\"; done";
        String out = adb.shellQuery(List.of("sh", "-c", script));
        if (out == null) return null;
        Map<String, Object> p = Kit.ordered();
        for (String k : POWER_KEYS) {
            Matcher m = Pattern.compile("(?m)^" + k + "=(.*)$").matcher(out);
            p.put(k, m.find() && !m.group(1).isBlank() && !m.group(1).trim().equals("null") ? m.group(1).trim() : null); // "null": never set
        }
        return p;
    }

    static List<String> features(String cpuinfo) {
        if (cpuinfo == null) return null;
        Matcher m = Pattern.compile("(?m)^Features\\s*:\\s*(.*)$").matcher(cpuinfo);
        return m.find() ? List.of(m.group(1).trim().split("\\s+")) : null;
    }

    /** Per core: maximum frequency (kHz) and governor, from /sys/devices/system/cpu/cpu N /cpufreq. */
    private List<Map<String, Object>> cpus() {
        String script = "cd /sys/devices/system/cpu && for c in cpu[0-9]*; do echo \"$c $(cat $c/cpufreq/cpuinfo_max_freq 2>/dev/null) $(cat $c/cpufreq/scaling_governor 2>/dev/null)\"; done";
        String out = adb.shellQuery(List.of("sh", "-c", script));
        List<Map<String, Object>> cpus = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^cpu(\\d+) ?(\\d*) ?(\\S*)\\s*$").matcher(out == null ? "" : out);
        while (m.find()) cpus.add(Kit.ordered("cpu", Integer.parseInt(m.group(1)), "max_freq_khz", intOrNull(m.group(2)), "governor", blankToNull(m.group(3))));
        cpus.sort(Comparator.comparingInt(c -> (Integer) c.get("cpu")));
        return cpus;
    }

    static final List<String> THERMAL_NAMES = List.of("none", "light", "moderate", "severe", "critical", "emergency", "shutdown");

    /** `dumpsys thermalservice` "Thermal Status: N", else the temperatures of /sys/class/thermal. */
    private Map<String, Object> thermal() {
        String out = adb.shellQuery(List.of("dumpsys", "thermalservice"));
        Matcher m = Pattern.compile("(?m)^\\s*Thermal Status:\\s*(\\d+)").matcher(out == null ? "" : out);
        if (m.find()) {
            int st = Integer.parseInt(m.group(1));
            return Kit.ordered("status", st, "status_name", st < THERMAL_NAMES.size() ? THERMAL_NAMES.get(st) : "unknown", "source", "dumpsys thermalservice");
        }
        String zones = adb.shellQuery(List.of("sh", "-c", "for z in /sys/class/thermal/thermal_zone*; do echo \"$(cat $z/type 2>/dev/null)=$(cat $z/temp 2>/dev/null)\"; done"));
        Map<String, Object> temps = Kit.ordered();
        Matcher z = Pattern.compile("(?m)^(\\S+)=(-?\\d+)\\s*$").matcher(zones == null ? "" : zones);
        while (z.find()) temps.put(z.group(1), Integer.parseInt(z.group(2)) / 1000.0);
        return Kit.ordered("status", null, "status_name", null, "source", "/sys/class/thermal", "zones_c", temps);
    }

    private Map<String, Object> battery() {
        String out = adb.shellQuery(List.of("dumpsys", "battery"));
        if (out == null) return null;
        Integer temp = intOrNull(field(out, "temperature"));
        return Kit.ordered("level", intOrNull(field(out, "level")), "temperature_c", temp == null ? null : temp / 10.0,
                "usb_powered", bool(field(out, "USB powered")), "ac_powered", bool(field(out, "AC powered")), "status", intOrNull(field(out, "status")));
    }

    private static String field(String text, String key) {
        Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + ":\\s*(.*?)\\s*$").matcher(text);
        return m.find() ? m.group(1) : null;
    }

    static Map<String, String> parseProps(String out) {
        Map<String, String> props = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\[([^\\]]+)]: \\[(.*)]\\s*$").matcher(out == null ? "" : out);
        while (m.find()) props.put(m.group(1), m.group(2));
        return props;
    }

    // ---------------------------------------------------------------- the run

    /** Fills the manifest (new run or --resume, warning when the model or device differs), saves it; returns the steps not ok yet. */
    private List<Kit.Step> startRun(Kit.Config cfg, Path configPath, Kit.RunFolder f, List<Kit.Step> steps, Map<String, Object> device,
                                    List<Kit.Experiment> exps) {
        Map<String, Object> m = f.manifest;
        if (pipe.resume != null && m.get("device") instanceof Map<?, ?> before && before.get("serial") != null
                && !before.get("serial").equals(device.get("serial")))
            pipe.warn("the run folder was measured on device " + before.get("serial") + ", this resume runs on " + device.get("serial")
                    + ": results may not be comparable");
        if (steps.stream().anyMatch(Kit.Step::xnntrace)) device.put("logcat_buffer", enlargeLogcat());
        Map<String, Object> executorch = Kit.GitState.of(Kit.Workspace.locate(pipe.workspace).executorch()).toMap();
        Map<String, Object> host = Kit.hostFacts("git");
        @SuppressWarnings("unchecked") Map<String, Object> tools = (Map<String, Object>) host.get("tools");
        tools.put("adb", device.get("adb"));
        return pipe.start(f, cfg, configPath, () -> resolvedConfig(cfg), steps, Kit.ordered("executorch", executorch, "host", host, "device", device),
                pipe.runnerFacts(cfg, exps, PLATFORM, e -> Kit.ordered("device_path", lay.runner(e))));
    }

    /** The device folder's layout: the run's folder under workdir, runners under bin/<their host folder name>/. */
    static Layout layout(String workdir, String runId, Path model, List<Kit.Experiment> exps) {
        String dir = (workdir.equals("/") ? "" : workdir) + "/" + Kit.Pipeline.safeName(runId);
        Map<Path, String> runners = new LinkedHashMap<>();
        Set<String> used = new LinkedHashSet<>();
        for (Kit.Experiment e : exps) {
            if (runners.containsKey(e.runnerPath())) continue;
            Path parent = e.runnerPath().getParent();
            String base = Kit.Pipeline.safeName(parent == null || parent.getFileName() == null ? "runner" : parent.getFileName().toString()), name = base;
            for (int i = 2; !used.add(name); i++) name = base + "-" + i;
            runners.put(e.runnerPath(), dir + "/bin/" + name + "/" + e.runnerPath().getFileName());
        }
        return new Layout(dir, dir + "/" + model.getFileName(), dir + "/" + LIBCXX, runners);
    }

    /**
     * The one way a string reaches `adb shell`: every word through Kit.shq, the commands joined by &&. adb passes the
     * result as ONE string to the device's sh -c, so nothing in a name, path or argument can be run as a command.
     */
    static String remote(List<List<String>> commands) {
        return commands.stream().map(c -> c.stream().map(Kit::shq).collect(Collectors.joining(" "))).collect(Collectors.joining(" && "));
    }

    private String prepareSafely(Kit.Config cfg, Path libcxx, List<Kit.Experiment> exps) {
        try {
            return prepareDevice(cfg, libcxx, exps);
        } catch (RuntimeException ex) { // e.g. a full disk: every experiment fails with it, the manifest says so
            return "pipeline error while preparing the device: " + ex.getMessage();
        }
    }

    /** Pushes the model, libc++_shared.so and the runners, and asks each runner for --help on the device. Returns why it failed, or null. */
    private String prepareDevice(Kit.Config cfg, Path libcxx, List<Kit.Experiment> exps) {
        io.step("pushing the model, " + LIBCXX + " and " + lay.runners().size() + " runner(s) to " + lay.dir());
        Call c = adb.shell(List.of(mkdirWords()), Duration.ofSeconds(60), null);
        for (Map.Entry<Path, String> p : pushes(cfg, libcxx).entrySet()) if (c.ok()) c = adb.push(p.getKey(), p.getValue());
        if (c.ok()) c = adb.shell(List.of(chmodWords()), Duration.ofSeconds(60), null);
        if (!c.ok()) {
            String why = "could not prepare the device folder " + lay.dir() + ": " + why(c);
            adb.noteLost(why, "preparing the device");
            io.fail(why);
            return adb.lostReason != null ? adb.lostReason : why;
        }
        io.ok("pushed " + cfg.model().getFileName() + ", " + LIBCXX + " (from " + libcxx + ") and " + lay.runners().size() + " runner(s)");
        for (Kit.Experiment e : exps) if (!runnerProblems.containsKey(e.runnerPath())) runnerProblems.put(e.runnerPath(), checkRunner(e));
        return null;
    }

    /** `mkdir -p` of the run's device folder and of each runner's folder. */
    private List<String> mkdirWords() {
        List<String> mkdir = new ArrayList<>(List.of("mkdir", "-p", lay.dir()));
        lay.runners().values().forEach(r -> mkdir.add(r.substring(0, r.lastIndexOf('/'))));
        return mkdir;
    }

    /** What goes to the device, local file to device path: the model, libc++_shared.so, each runner. */
    private Map<Path, String> pushes(Kit.Config cfg, Path libcxx) {
        Map<Path, String> p = new LinkedHashMap<>();
        p.put(cfg.model(), lay.model());
        p.put(libcxx, lay.lib());
        p.putAll(lay.runners());
        return p;
    }

    private List<String> chmodWords() {
        List<String> chmod = new ArrayList<>(List.of("chmod", "755"));
        chmod.addAll(lay.runners().values());
        return chmod;
    }

    /** `cd DIR && env LD_LIBRARY_PATH=DIR RUNNER --help` on the device. */
    private List<List<String>> helpCommands(Kit.Experiment e) {
        return List.of(List.of("cd", lay.dir()), List.of("env", "LD_LIBRARY_PATH=" + lay.dir(), lay.runner(e), "--help"));
    }

    /** `rm -rf STEP && mkdir -p STEP`: an empty step folder on the device. */
    private List<List<String>> stepDirCommands(Kit.Step s) {
        return List.of(List.of("rm", "-rf", lay.stepDir(s)), List.of("mkdir", "-p", lay.stepDir(s)));
    }

    /** A runner process in its step folder: `cd STEP && WORDS`. */
    private List<List<String>> runnerCommands(Kit.Step s, List<String> words) { return List.of(List.of("cd", lay.stepDir(s)), words); }

    /** Runs `RUNNER --help` on the device: null when it lists --etdump_path, else why the runner cannot be used. */
    private String checkRunner(Kit.Experiment e) {
        Call c = adb.shell(helpCommands(e), Duration.ofSeconds(60), null);
        String out = c.out();
        if (c.adbError() != null) return "adb failed while checking the runner: " + why(c);
        if (out.contains("etdump_path")) return null;
        String build = "jbang scripts/BuildRunners.java --variants " + Kit.Pipeline.variant(e, PLATFORM);
        String why = out.contains("model_path")
                ? "runner " + e.runnerPath() + " has no --etdump_path flag: it was built without the event tracer, so it writes no ETDump; rebuild it with"
                + " -DEXECUTORCH_BUILD_DEVTOOLS=ON -DEXECUTORCH_ENABLE_EVENT_TRACER=ON: " + build
                : "runner " + e.runnerPath() + " cannot start on the device (exit " + c.r().exitCode() + ": " + String.join(" | ", lastLines(out, 3))
                + "); is it an Android arm64 build with " + LIBCXX + "? " + build;
        io.fail("experiment " + e.name() + ": " + why);
        return why;
    }

    private void runStep(Kit.Config cfg, Kit.RunFolder f, Kit.Step s, int i, int n, long t0) {
        Kit.Experiment e = s.exp();
        Path dir = s.dir(f.dir);
        Path etdump = dir.resolve("run.etdump"), log = dir.resolve("runner.log"), xlog = s.xnntrace() ? dir.resolve("xnntrace.log") : null;
        adb.during = s.label();
        long started = System.nanoTime();
        Map<String, Object> entry = pipe.begin(f, s, i, n, t0);
        if (entry == null) return;
        String gone = adb.stillGone();
        String why = gone != null ? gone : runnerProblems.get(e.runnerPath());
        if (why == null) why = prepareStepDir(s);
        if (why == null && pipe.warmupProcess && s.warmup() > 0) {
            Outcome w = runOnDevice(s, words(s, s.warmup(), null), dir.resolve("warmup.log"), null);
            if (pipe.interruptedToo(w.last())) return;
            if (w.why() != null) why = (w.adbFailed() ? "" : "warm-up ") + w.why();
        }
        if (why != null) {
            pipe.done(f, entry, s, why, List.of(), null, null, List.of(), started);
            return;
        }
        String remoteEtdump = lay.stepDir(s) + "/run.etdump";
        List<String> timed = words(s, s.executions(), remoteEtdump);
        Kit.writeAtomic(dir.resolve("command.txt"), String.join("\n", adb.shellArgv(remote(runnerCommands(s, timed)))) + "\n");
        Outcome r = runOnDevice(s, timed, log, xlog);
        if (pipe.interruptedToo(r.last())) return;
        why = r.why();
        if (why == null) why = pullEtdump(remoteEtdump, etdump);
        List<Double> latency = List.of();
        List<String> notes = new ArrayList<>();
        if (why == null) {
            Kit.Pipeline.EtdumpCheck et = Kit.Pipeline.etdumpCheck(etdump, s.executions(), notes, "no ETDump at " + etdump + " after adb pull");
            why = et.why();
            latency = et.executeMs();
        }
        if (why == null) notes.addAll(crossChecks(s, r.out(), latency, xlog, r.xnntrace()));
        pipe.done(f, entry, s, why, latency, r.out() == null ? null : r.out().reportedMs(), xlog, notes, started);
    }

    private String prepareStepDir(Kit.Step s) {
        Call c = adb.shell(stepDirCommands(s), Duration.ofSeconds(60), null);
        if (c.ok()) return null;
        String why = "adb failed to prepare " + lay.stepDir(s) + ": " + why(c);
        return adb.noteLost(why, s.label()) ? adb.lostReason : why;
    }

    /** The runner's words on the device: env LD_LIBRARY_PATH=DIR [ENV=…] [taskset MASK] RUNNER --model_path … + extra_args. */
    List<String> words(Kit.Step s, int executions, String etdump) {
        Kit.Experiment e = s.exp();
        List<String> w = new ArrayList<>(List.of("env", "LD_LIBRARY_PATH=" + lay.dir()));
        e.env().forEach((k, v) -> w.add(k + "=" + v));
        if (e.cpuAffinity() != null) w.addAll(List.of("taskset", e.cpuAffinity()));
        w.addAll(List.of(lay.runner(e), "--model_path", lay.model(), "--num_executions", String.valueOf(executions), "--cpu_threads", String.valueOf(s.threads())));
        if (etdump != null) w.addAll(List.of("--etdump_path", etdump));
        w.addAll(e.extraArgs());
        return w;
    }

    /**
     * One runner process on the device in the step's folder: logcat -c, the process (its output into log), then its
     * ExecuTorch logcat lines appended to log and, with xlog, its XNNPACK lines into xlog. The runner's own words for a
     * failure come from both (an Android build logs to logcat, a posix one to stderr).
     */
    private Outcome runOnDevice(Kit.Step s, List<String> words, Path log, Path xlog) {
        Call clear = adb.logcat("-c");
        if (!clear.ok()) return adbFailure("adb logcat -c failed: " + why(clear), s, clear);
        Call c = adb.shell(runnerCommands(s, words), Duration.ofSeconds(s.exp().timeoutS()), log);
        if (c.adbError() != null) return adbFailure("adb failed while the runner ran: " + why(c), s, c);
        if (c.r().timedOut()) adb.shell(List.of(List.of("pkill", "-f", lay.runner(s.exp()))), Duration.ofSeconds(30), null); // adbd may leave it running
        Call et = adb.logcat("-d", "-s", "ExecuTorch");
        String etLines = logcatLines(et.out(), "ExecuTorch");
        appendLog(log, "--- adb logcat -d -s ExecuTorch (the runner's log on Android)\n" + etLines);
        String xnntrace = null;
        if (xlog != null) {
            Call x = adb.logcat("-d", "-s", "XNNPACK");
            String stderrNotes = c.out().lines().filter(l -> l.contains("(XNNPACK): ")).map(l -> l + "\n").collect(Collectors.joining());
            xnntrace = (x.ok() ? x.out() : "") + stderrNotes; // a runner may also print them on stderr
            Kit.writeAtomic(xlog, xnntrace);
            if (!x.ok()) return adbFailure("adb logcat -d -s XNNPACK failed: " + why(x), s, x);
        }
        Kit.RunnerOutput out = Kit.RunnerOutput.parse(c.out() + "\n" + asRunnerLog(etLines));
        return new Outcome(Kit.Pipeline.failure(c.r(), out, s.exp().timeoutS(), "adb"), out, false, c.r(), xnntrace);
    }

    /** A failed adb call (failed: its Call) during a runner process: the lost-device reason when the device is gone. */
    private Outcome adbFailure(String why, Kit.Step s, Call failed) {
        return new Outcome(adb.noteLost(why, s.label()) ? adb.lostReason : why, null, true, failed.r(), null);
    }

    private String pullEtdump(String remote, Path local) {
        Call c = adb.pull(remote, local);
        if (c.ok()) return null;
        if (c.out().contains("failed to stat remote object") || c.out().contains("No such file")) return "the runner exited 0 but wrote no ETDump at " + remote + " on the device";
        String why = "adb pull " + remote + " failed: " + why(c);
        return adb.noteLost(why, adb.during) ? adb.lostReason : why;
    }

    static final Pattern LOGCAT = Pattern.compile("^\\d\\d-\\d\\d \\d\\d:\\d\\d:(\\d\\d\\.\\d+)\\s+\\d+\\s+\\d+ ([VDIWEF]) (\\S+?)\\s*: ?(.*)$");

    /** The logcat lines (threadtime) of one tag, without logcat's "--------- beginning of" lines. */
    static String logcatLines(String text, String tag) {
        StringBuilder sb = new StringBuilder();
        for (String l : text.split("\n")) {
            Matcher m = LOGCAT.matcher(l);
            if (m.matches() && m.group(3).equals(tag)) sb.append(l).append('\n');
        }
        return sb.toString();
    }

    /** ExecuTorch logcat lines as the runner prints them on a host (`E 00:00:12.345 logcat] msg`), for Kit.RunnerOutput. */
    static String asRunnerLog(String logcat) {
        StringBuilder sb = new StringBuilder();
        for (String l : logcat.split("\n")) {
            Matcher m = LOGCAT.matcher(l);
            if (m.matches()) sb.append(m.group(2).equals("V") || m.group(2).equals("D") ? "I" : m.group(2)).append(" 00:00:").append(m.group(1))
                    .append(" logcat] ").append(m.group(4)).append('\n');
        }
        return sb.toString();
    }

    private static void appendLog(Path log, String text) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw Kit.UserError.failed("cannot write " + log + ": " + e.getMessage(), "check free disk space");
        }
    }

    /** The cross-checks of Kit.Pipeline, and for xnntrace whether the XNNPACK log written to xlog (xnntrace) has kernel lines. */
    static List<String> crossChecks(Kit.Step s, Kit.RunnerOutput out, List<Double> latency, Path xlog, String xnntrace) {
        List<String> notes = Kit.Pipeline.crossChecks(s, out, latency, " (stdout or logcat)");
        if (s.xnntrace() && (xnntrace == null || xnntrace.lines().noneMatch(l -> l.contains("Using ") && l.contains("microkernel"))))
            notes.add("no XNNPACK kernel lines in " + xlog + " (logcat -s XNNPACK): is the runner a kernel-logging build (jbang scripts/BuildRunners.java"
                    + " --variants " + Kit.Pipeline.variant(s.exp(), PLATFORM).replaceFirst("(-xnnlog)?$", "-xnnlog") + ")?");
        return notes;
    }

    /** Removes the run's device folder (unless --keep-device-files or the device is gone) and notes what happened to it. */
    private void cleanup(Kit.RunFolder f, Map<String, Object> device) {
        String state;
        if (keepDeviceFiles) {
            state = "kept (--keep-device-files)";
            io.info("device files kept in " + lay.dir() + " (remove them with: adb -s " + Kit.shq(adb.serial) + " shell rm -rf " + Kit.shq(lay.dir()) + ")");
        } else if (adb.lostReason != null && adb.stillGone() != null) {
            state = "left on the device (it was lost)";
            pipe.warn("the device folder " + lay.dir() + " was not removed: the device is gone; remove it later with: adb -s " + Kit.shq(adb.serial) + " shell rm -rf " + Kit.shq(lay.dir()));
        } else {
            Call c = adb.shell(List.of(List.of("rm", "-rf", lay.dir())), Duration.ofSeconds(120), null);
            state = c.ok() ? "removed" : "not removed: " + why(c);
            if (!c.ok()) pipe.warn("could not remove " + lay.dir() + " on the device: " + why(c));
        }
        device.put("device_files", state);
        if (adb.lostReason != null) device.put("lost", Kit.ordered("during", adb.lostDuring, "reason", adb.lostReason));
        f.save();
    }

    /**
     * logcat's ring buffer for a kernel-log run: XNNPACK's level-5 output (a line per operator at every reshape and
     * execution, a few hundred bytes each) can overflow the default 256 KB of many phones before `logcat -d` reads it.
     */
    static final String LOGCAT_BUFFER = "16M";

    /** Sets the device's logcat buffer to LOGCAT_BUFFER (adb logcat -G) for the xnntrace runs; the manifest records whether it took. */
    private Map<String, Object> enlargeLogcat() {
        Call g = adb.logcat("-G", LOGCAT_BUFFER);
        if (g.ok() && !g.out().toLowerCase(java.util.Locale.ROOT).contains("failed")) return Kit.ordered("size", LOGCAT_BUFFER, "set", true, "why", "xnntrace runs");
        pipe.warn("could not set logcat's buffer to " + LOGCAT_BUFFER + " (adb logcat -G " + LOGCAT_BUFFER + ": " + why(g) + "): XNNPACK's kernel log may overflow"
                + " the default buffer, so xnntrace.log may miss kernels");
        return Kit.ordered("size", null, "set", false, "why", why(g));
    }

    // ---------------------------------------------------------------- dry run

    private int dryRun(Kit.Config cfg, List<Kit.Step> steps, Path runDir, Kit.RunFolder folder, Path libcxx, List<String> problems) {
        if (!io.json) {
            io.out.println("# run folder: " + runDir + (folder == null ? " (not created: --dry-run)" : ""));
            io.out.println("# device: " + adb.serial + ", folder " + lay.dir());
        }
        adb.shell(List.of(mkdirWords()), Duration.ofSeconds(60), null);
        pushes(cfg, libcxx == null ? Path.of(LIBCXX) : libcxx).forEach(adb::push);
        adb.shell(List.of(chmodWords()), Duration.ofSeconds(60), null);
        Set<Path> helped = new LinkedHashSet<>();
        for (Kit.Step s : steps) if (helped.add(s.exp().runnerPath())) adb.shell(helpCommands(s.exp()), Duration.ofSeconds(60), null);
        if (steps.stream().anyMatch(Kit.Step::xnntrace)) adb.logcat("-G", LOGCAT_BUFFER);
        for (Kit.Step s : steps) {
            if (folder != null && folder.ok(s)) continue;
            Path dir = s.dir(runDir);
            adb.shell(stepDirCommands(s), Duration.ofSeconds(60), null);
            if (pipe.warmupProcess && s.warmup() > 0) dryRunProcess(s, words(s, s.warmup(), null), false);
            dryRunProcess(s, words(s, s.executions(), lay.stepDir(s) + "/run.etdump"), s.xnntrace());
            adb.pull(lay.stepDir(s) + "/run.etdump", dir.resolve("run.etdump"));
        }
        if (!keepDeviceFiles) adb.shell(List.of(List.of("rm", "-rf", lay.dir())), Duration.ofSeconds(120), null);
        return pipe.dryRunEnd(runDir, problems, "serial", adb.serial, "device_dir", lay.dir());
    }

    private void dryRunProcess(Kit.Step s, List<String> words, boolean xnntrace) {
        adb.logcat("-c");
        adb.shell(runnerCommands(s, words), Duration.ofSeconds(s.exp().timeoutS()), null);
        adb.logcat("-d", "-s", "ExecuTorch");
        if (xnntrace) adb.logcat("-d", "-s", "XNNPACK");
    }

    // ---------------------------------------------------------------- adb

    /**
     * adb with the chosen serial, retries and lost-device bookkeeping. act…: commands that change something (printed, not run,
     * under --dry-run); query: read-only questions, run even under --dry-run. A transient failure (device offline, closed,
     * not found, or a non-zero exit without output for commands other than the runner's) is retried after delayMs, 2×, 4×…
     */
    static final class Adb {
        static final Pattern TRANSIENT = Pattern.compile("(?m)^(adb: (error: )?|error: )(device offline|closed|protocol fault.*|device '[^']*' not found"
                + "|no devices/emulators found|device still (authorizing|connecting)|connection reset.*|failed to (read|write) .*)\\s*$|cannot connect to daemon.*");
        final Kit.Io io, live;
        final String exe;
        final int attempts;
        final long delayMs;
        String serial, during, lostReason, lostDuring;

        Adb(Kit.Io io, String exe, int attempts, long delayMs) {
            this.io = io;
            this.exe = exe;
            this.attempts = attempts;
            this.delayMs = delayMs;
            this.live = new Kit.Io(new PrintStream(java.io.OutputStream.nullOutputStream()), io.err, false);
            this.live.verbose = io.verbose;
        }

        List<String> argv(String... args) {
            List<String> a = new ArrayList<>(List.of(exe));
            if (serial != null) a.addAll(List.of("-s", serial));
            a.addAll(List.of(args));
            return a;
        }

        List<String> shellArgv(String remote) { return argv("shell", remote); }

        /** A read-only question, run even under --dry-run. */
        Call query(Duration timeout, String... args) { return run(live, Kit.Cmd.of(argv(args)).timeout(timeout), true); }

        /** Its output, or null when it failed. */
        String shellQuery(List<String> words) {
            Call c = query(Duration.ofSeconds(60), "shell", remote(List.of(words)));
            return c.ok() ? c.out() : null;
        }

        Call act(Duration timeout, String... args) { return run(io, Kit.Cmd.of(argv(args)).timeout(timeout), true); }

        Call push(Path local, String remote) { return act(Duration.ofMinutes(10), "push", local.toString(), remote); }

        Call pull(String remote, Path local) { return act(Duration.ofMinutes(10), "pull", remote, local.toString()); }

        Call logcat(String... args) {
            List<String> a = new ArrayList<>(List.of("logcat"));
            a.addAll(List.of(args));
            return act(Duration.ofSeconds(60), a.toArray(String[]::new));
        }

        /** `adb shell REMOTE` (REMOTE from {@link #remote}); with log, the output goes there too (a runner: never retried on a silent exit). */
        Call shell(List<List<String>> commands, Duration timeout, Path log) {
            Kit.Cmd c = Kit.Cmd.of(shellArgv(remote(commands))).timeout(timeout);
            return run(io, log == null ? c : c.log(log).echo(io.verbose), log == null);
        }

        private Call run(Kit.Io on, Kit.Cmd cmd, boolean silentIsTransient) {
            Kit.Result r = null;
            String error = null;
            for (int i = 0; i < attempts; i++) {
                if (i > 0) sleep(delayMs << Math.min(20, i - 1));
                r = Kit.exec(on, cmd);
                error = adbError(r, silentIsTransient);
                if (error == null || r.startError() != null) break;
                if (i + 1 < attempts)
                    io.warn("adb " + kind(cmd.argv()) + ": " + error + "; retry " + (i + 1) + " of " + (attempts - 1) + " in " + (delayMs << Math.min(20, i)) + " ms");
            }
            return new Call(r, error);
        }

        /** The adb command word (push, shell, …) of an argv. */
        static String kind(List<String> argv) {
            int i = argv.size() > 2 && argv.get(1).equals("-s") ? 3 : 1;
            return i < argv.size() ? argv.get(i) : "";
        }

        static String adbError(Kit.Result r, boolean silentIsTransient) {
            if (r.startError() != null) return "adb could not start: " + r.startError();
            if (r.ok() || r.timedOut()) return null;
            Matcher m = TRANSIENT.matcher(r.output());
            if (m.find()) return m.group().trim();
            return silentIsTransient && r.output().isBlank() ? "adb exited with code " + r.exitCode() + " and no output" : null;
        }

        /** After a failed call: is the device gone (adb get-state, no retry)? Then remembers why and returns true. */
        boolean noteLost(String why, String label) {
            if (lostReason != null) return true;
            if (io.dryRun || serial == null || present()) return false;
            lostDuring = label;
            lostReason = "device " + serial + " was lost during " + label + " (" + why + "); reconnect it and re-run with --resume";
            io.fail(lostReason);
            return true;
        }

        /** Null when the device is there (again); else the reason to fail fast. */
        String stillGone() {
            if (lostReason == null) return null;
            if (present()) {
                io.ok("device " + serial + " is back");
                return null;
            }
            return "device " + serial + " is not connected (lost during " + lostDuring + "); reconnect it and re-run with --resume";
        }

        private boolean present() {
            Kit.Result r = Kit.exec(live, Kit.Cmd.of(argv("get-state")).timeout(Duration.ofSeconds(20)));
            return r.ok() && r.output().trim().equals("device");
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String why(Call c) {
        if (c.adbError() != null) return c.adbError();
        if (c.r().timedOut()) return "timed out";
        String out = c.out().strip();
        return "exit " + c.r().exitCode() + (out.isEmpty() ? "" : ": " + String.join(" | ", lastLines(out, 2)));
    }

    // ---------------------------------------------------------------- small helpers

    private static List<String> lastLines(String text, int n) {
        List<String> l = text.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        return l.subList(Math.max(0, l.size() - n), l.size());
    }

    private static String firstLine(String s) { return s == null ? null : s.strip().lines().findFirst().orElse("").strip(); }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }

    private static Integer intOrNull(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Boolean bool(String s) { return s == null ? null : Boolean.valueOf(s.trim()); }

    @SafeVarargs
    private static <T> T firstNonNull(T... v) {
        for (T x : v) if (x != null && !(x instanceof String s && s.isBlank())) return x;
        return null;
    }
}
