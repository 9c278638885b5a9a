///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1
//DESCRIPTION Creates the workspace: a Python venv, ExecuTorch cloned at the pinned release with its submodules, ExecuTorch's installer; records workspace.json.

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "SetupRepo", mixinStandardHelpOptions = true, version = "0.1.0", sortOptions = false,
        description = {
                "Creates (or checks) a workspace in four steps, each timed and logged to",
                "<workspace>/logs/setup-<step>.log:",
                "  venv        PY -m venv .venv",
                "  clone       git clone --branch REF --depth 1 -- URL executorch",
                "              (the pinned release, never the latest main)",
                "  submodules  git submodule sync --recursive, then",
                "              git submodule update --init --recursive; then checks that",
                "              each submodule the runners need holds its files (eigen,",
                "              pocketfft, json… which ExecuTorch's installer does not check)",
                "  install     .venv/bin/python install_executorch.py (ExecuTorch's",
                "              installer: torch, the executorch wheel, example deps)",
                "then writes <workspace>/workspace.json: ExecuTorch ref and SHA, Python and",
                "torch versions, the time of each step.",
                "",
                "Safe to run again: finished steps are checked and skipped, so a second run",
                "takes seconds. An executorch/ at another ref or with local changes is",
                "reported (exit 1, with the fix) and never overwritten.",
                "The pinned release, its torch and its Python range come from",
                "configs/versions.json (in the workspace or the current folder); a lone",
                "download of this script has the same values built in."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/SetupRepo.java",
                "      (the workspace is the current folder)",
                "  jbang scripts/SetupRepo.java --workspace ~/sme2-ws --python python3.12",
                "  jbang scripts/SetupRepo.java --dry-run",
                "      (prints the commands a run would issue)",
                "  jbang scripts/SetupRepo.java --json",
                "      (workspace.json on stdout)"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the workspace is set up (or already was)", "1:a step failed, or the checkout is at another ref or dirty (the fix is printed)",
                "2:bad input or usage"})
public class SetupRepo implements Callable<Integer> {
    static final String PROBE_CODE = """
            # sme2:probe - versions of this Python, torch and the installed executorch package
            import json, sys
            r = {"python": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable}
            try:
                import torch
                r["torch"] = torch.__version__
            except Exception:
                r["torch"] = None
            try:
                import executorch.version as v
                r["executorch"] = v.__version__
                r["executorch_git"] = v.git_version
            except Exception:
                r["executorch"] = None
                r["executorch_git"] = None
            print(json.dumps(r))
            """;

    private final Kit.Io io;
    private final Map<String, String> env;

    SetupRepo(Kit.Io io) { this(io, System.getenv()); }

    SetupRepo(Kit.Io io, Map<String, String> env) {
        this.io = io;
        this.env = env;
    }

    @Option(names = "--workspace", paramLabel = "DIR", description = "the workspace folder (created if missing; default: $SME2_WORKSPACE, else the current folder)")
    Path workspace;

    @Option(names = "--executorch-ref", paramLabel = "REF", description = "the ExecuTorch tag or branch to clone (default: the pinned release, " + Kit.Versions.REF + ")")
    String ref;

    @Option(names = "--executorch-url", paramLabel = "URL", description = "where to clone ExecuTorch from (default: " + Kit.Versions.URL + ")")
    String url;

    @Option(names = "--python", paramLabel = "PY", description = "the Python that creates .venv (default: python3); ExecuTorch " + Kit.Versions.REF
            + " needs " + Kit.Versions.PYTHON_RANGE)
    String python = "python3";

    @Option(names = "--json", description = "print workspace.json (or, with --dry-run, the planned commands) as JSON on stdout")
    boolean json;

    @Option(names = "--dry-run", description = "print the commands it would run (read-only checks still run); change nothing")
    boolean dryRun;

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) { return run(System.getenv(), out, err, args); }

    /** Entry point for tests with their own environment (PATH with fake tools first). */
    public static int run(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new SetupRepo(io, env), args);
    }

    /** One step of the run: done, skipped (already there), planned (dry run). */
    record Step(String name, String status, double seconds, String detail) {}

    // ---------------------------------------------------------------- state

    private Path root, et, venv, venvPython, logs;
    private Kit.Versions pins;
    private String wantRef, wantUrl;
    private final List<Step> steps = new ArrayList<>();
    private String sha;
    private boolean dirty;
    /** verifyCheckout found the existing checkout clean (its `git status` is not repeated when nothing ran after it). */
    private boolean checkedClean;
    private Map<String, Object> versions = Map.of();

    /**
     * A clone URL git can never read as an option or a command: not starting with "-", no control characters, and no
     * "ext::"/"fd::" transport (which run commands); the clone also passes it after "--".
     */
    static void checkUrl(String url) {
        String bad = url.isBlank() ? "empty" : url.startsWith("-") ? "starts with \"-\" (git would read it as an option)"
                : url.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f) ? "contains a control character"
                : url.matches("(?i)(ext|fd)::.*") ? "uses git's " + url.substring(0, url.indexOf("::")) + ":: transport, which runs commands" : null;
        if (bad != null) throw Kit.UserError.badInput("--executorch-url " + Kit.cut(url.replaceAll("\\p{Cntrl}", "?")) + ": " + bad,
                "pass a repository URL such as " + Kit.Versions.URL + " (or a local path)");
    }

    @Override
    public Integer call() {
        io.json = json;
        io.dryRun = dryRun;
        long t0 = System.nanoTime();
        String envWs = env.get("SME2_WORKSPACE");
        root = (workspace != null ? workspace : envWs != null && !envWs.isBlank() ? Path.of(envWs) : Path.of("")).toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root)) throw Kit.UserError.badInput("--workspace " + root + ": not a folder", "pass a folder (it is created if missing)");
        et = root.resolve("executorch");
        venv = root.resolve(".venv");
        venvPython = venv.resolve("bin").resolve("python");
        logs = root.resolve("logs");
        pins = Kit.Versions.load(root);
        wantRef = ref != null ? ref : pins.ref();
        wantUrl = url != null ? url : pins.url();
        if (wantRef.isBlank() || wantRef.startsWith("-")) throw Kit.UserError.badInput("--executorch-ref " + wantRef + ": not a ref", "pass a tag such as " + Kit.Versions.REF);
        checkUrl(wantUrl);

        io.step("SetupRepo: workspace " + root + ", ExecuTorch " + wantRef + (ref == null ? " (pinned by " + pins.source() + ")" : ""));
        if (!dryRun) mkdirs(root);
        checks();
        stepVenv();
        stepClone();
        stepSubmodules();
        stepInstall();
        double total = secs(t0);
        if (dryRun) {
            if (json) io.data(Kit.ordered("dry_run", true, "workspace", root.toString(), "commands", io.plannedCommands));
            else io.err.println("dry run: nothing was changed");
            return Kit.OK;
        }
        // the checkout was found clean before; only a step that ran since (clone, submodules, installer) can have changed it
        boolean changed = steps.stream().anyMatch(st -> !st.status().equals("skipped"));
        dirty = checkedClean && !changed ? false : gitDirty();
        Map<String, Object> record = Kit.ordered("schema_version", 1, "tool", "SetupRepo", "updated_at", Kit.utcNow(), "workspace", root.toString(),
                "executorch", Kit.ordered("ref", wantRef, "sha", sha, "dirty", dirty, "url", wantUrl, "path", et.toString()),
                "python", Kit.ordered("executable", venvPython.toString(), "version", versions.get("python")),
                "torch", versions.get("torch"), "executorch_package", versions.get("executorch"),
                "pins", Kit.ordered("source", pins.source(), "ref", pins.ref(), "sha", pins.sha(), "torch", pins.torch(),
                        "python", pins.pythonRange()),
                "steps", steps, "total_seconds", Kit.round(total));
        Kit.writeJson(root.resolve("workspace.json"), record);
        if (pins.torch() != null && versions.get("torch") != null && !String.valueOf(versions.get("torch")).startsWith(pins.torch()))
            io.warn("torch " + versions.get("torch") + " is installed, " + pins.torch() + " is pinned for ExecuTorch " + pins.ref());
        if (dirty) io.warn("executorch/ has local changes now; results will record dirty=true");
        io.ok("workspace ready in " + Kit.duration(total) + ": ExecuTorch " + wantRef + " (" + shortSha(sha) + "), Python " + versions.get("python")
                + ", torch " + versions.get("torch") + "; recorded " + root.resolve("workspace.json"));
        io.info("next: jbang scripts/BuildRunners.java --workspace " + Kit.shq(root.toString()));
        if (json) io.data(record);
        return Kit.OK;
    }

    // ---------------------------------------------------------------- steps

    /** Tools and the state of an existing checkout, before anything is created. */
    private void checks() {
        io.step("[check] git, Python and any existing checkout");
        Kit.Result g = probe(root, "git", "--version");
        if (!g.ok()) {
            if (!dryRun) throw Kit.UserError.failed("git not found on PATH", "install git (macOS: xcode-select --install; Linux: sudo apt install git)");
            io.warn("git not found on PATH (a real run stops here)");
        } else io.ok(g.output().trim());
        if (!Files.isExecutable(venvPython)) {
            Kit.Result p = probe(root, python, "--version");
            int[] v = Kit.version(p.output());
            String fix = "install Python " + pins.pythonRange() + " and pass it, e.g. --python python3.12";
            if (!p.ok() || v == null) {
                if (!dryRun) throw Kit.UserError.failed(python + " not found or did not report its version (" + p.why() + ")", fix);
                io.warn(python + " not found (a real run stops here)");
            } else {
                pythonInRange(v, python, fix);
                io.ok(python + " " + p.output().trim().replace("Python ", "") + " (ExecuTorch " + pins.ref() + " accepts " + pins.pythonRange() + ")");
            }
        }
        if (Kit.isMac() && !appleSilicon())
            throw Kit.UserError.failed("this is an Intel Mac: ExecuTorch's installer has no torch wheels for it",
                    "use an Apple Silicon Mac (M4 or newer for SME2) or a Linux machine");
        if (Files.exists(et)) verifyCheckout();
    }

    /** An existing executorch/ must be a clean checkout at the wanted ref; anything else is reported, never changed. */
    private void verifyCheckout() {
        if (!Files.exists(et.resolve(".git")))
            throw Kit.UserError.failed(et + " exists but is not a git checkout",
                    "move it away (or pass another --workspace); SetupRepo never overwrites a folder");
        Kit.Result head = probe(et, "git", "rev-parse", "HEAD");
        if (!head.ok()) throw Kit.UserError.failed("cannot read the commit of " + et + " (" + head.why() + ")", "check the checkout with: git -C " + Kit.shq(et.toString()) + " status");
        sha = head.output().trim();
        Kit.Result want = probe(et, "git", "rev-parse", "--verify", "--quiet", wantRef + "^{commit}");
        boolean atRef = want.ok() && want.output().trim().equals(sha) || wantRef.equals(pins.ref()) && sha.equals(pins.sha());
        if (!atRef) {
            Kit.Result d = probe(et, "git", "describe", "--tags", "--always");
            String at = d.ok() && !d.output().isBlank() ? d.output().trim() + " (" + shortSha(sha) + ")" : shortSha(sha);
            throw Kit.UserError.failed(et + " is at " + at + ", not at " + wantRef + "; SetupRepo does not move an existing checkout",
                    "keep it and pass --executorch-ref " + (d.ok() && !d.output().isBlank() ? d.output().trim() : sha)
                            + ", or use a new --workspace, or move it yourself: cd " + Kit.shq(et.toString()) + " && git fetch --depth 1 origin tag " + wantRef
                            + " && git checkout " + wantRef + " && git submodule update --init --recursive");
        }
        Kit.Result st = probe(et, "git", "status", "--porcelain", "--untracked-files=no");
        if (st.ok() && !st.output().isBlank()) {
            List<String> changed = st.output().lines().filter(l -> !l.isBlank()).toList();
            throw Kit.UserError.failed(et + " has local changes in " + changed.size() + " file(s): "
                            + String.join(", ", changed.subList(0, Math.min(5, changed.size())).stream().map(String::trim).toList())
                            + "; SetupRepo does not overwrite them",
                    "commit or stash them (cd " + Kit.shq(et.toString()) + " && git stash), or use a new --workspace; see them with git -C "
                            + Kit.shq(et.toString()) + " status");
        }
        checkedClean = st.ok();
        io.ok("executorch/ is a clean checkout of " + wantRef + " (" + shortSha(sha) + ")");
    }

    private void stepVenv() {
        io.step("[venv] Python environment " + root.relativize(venv));
        if (Files.isExecutable(venvPython)) {
            versions = probeVersions();
            int[] v = Kit.version(String.valueOf(versions.get("python")));
            if (v != null) pythonInRange(v, venvPython.toString(), "remove .venv and run SetupRepo again with --python python3.12 (or another "
                    + pins.pythonRange() + ")");
            skipped("venv", ".venv exists (Python " + versions.get("python") + ")");
            return;
        }
        long t0 = System.nanoTime();
        exec("venv", Kit.Cmd.of(python, "-m", "venv", ".venv").in(root));
        done("venv", t0, "created .venv with " + python);
    }

    private void stepClone() {
        io.step("[clone] ExecuTorch " + wantRef + " into executorch/");
        if (Files.exists(et)) {
            skipped("clone", "executorch/ is at " + wantRef + " (" + shortSha(sha) + ")");
            return;
        }
        long t0 = System.nanoTime();
        io.info("a shallow clone of one tag; follow it with: tail -f " + Kit.shq(logs.resolve("setup-clone.log").toString()));
        exec("clone", Kit.Cmd.of("git", "clone", "--branch", wantRef, "--depth", "1", "--", wantUrl, "executorch").in(root));
        if (!dryRun) {
            Kit.Result head = probe(et, "git", "rev-parse", "HEAD");
            sha = head.ok() ? head.output().trim() : null;
            if (wantRef.equals(pins.ref()) && sha != null && pins.sha() != null && !sha.equals(pins.sha()))
                io.warn(wantRef + " now points at " + shortSha(sha) + ", " + pins.source() + " pins " + shortSha(pins.sha()) + "; results record the commit you have");
        }
        done("clone", t0, "cloned " + wantRef + (sha != null ? " (" + shortSha(sha) + ")" : ""));
    }

    private void stepSubmodules() {
        io.step("[submodules] ExecuTorch's third-party code (XNNPACK, cpuinfo, eigen, flatbuffers…; KleidiAI is downloaded later, by XNNPACK's configure on arm64)");
        boolean fresh = steps.stream().anyMatch(s -> s.name().equals("clone") && !s.status().equals("skipped"));
        if (!fresh) {
            Kit.Result st = probe(et, "git", "submodule", "status", "--recursive");
            List<String> missing = st.output().lines().filter(l -> l.startsWith("-") || l.startsWith("U")).toList();
            if (st.ok() && missing.isEmpty() && (dryRun || Kit.Prereqs.emptySubmodules(et).isEmpty())) {
                skipped("submodules", st.output().lines().filter(l -> !l.isBlank()).count() + " submodules initialised");
                return;
            }
        }
        long t0 = System.nanoTime();
        io.info("this fetches several repositories; follow it with: tail -f " + Kit.shq(logs.resolve("setup-submodule-update.log").toString()));
        exec("submodule-sync", Kit.Cmd.of("git", "submodule", "sync", "--recursive").in(et));
        exec("submodule-update", Kit.Cmd.of("git", "submodule", "update", "--init", "--recursive").in(et));
        List<String> empty = dryRun ? List.of() : Kit.Prereqs.emptySubmodules(et);
        if (!empty.isEmpty())
            throw Kit.UserError.failed("after git submodule update, " + String.join(", ", empty) + (empty.size() == 1 ? " is" : " are")
                            + " still empty (a fetch failed?); BuildRunners needs " + (empty.size() == 1 ? "it" : "them"),
                    "read " + logs.resolve("setup-submodule-update.log") + ", then: " + Kit.Prereqs.submoduleFix(et, empty) + " (and run SetupRepo again)");
        done("submodules", t0, "initialised");
    }

    private void stepInstall() {
        io.step("[install] ExecuTorch's installer in .venv (torch " + pins.torch() + ", the executorch wheel, example models)");
        if (Files.isExecutable(venvPython)) {
            if (versions.isEmpty()) versions = probeVersions();
            Object installed = versions.get("executorch_git");
            if (installed != null && sha != null && sha.equals(installed) && versions.get("torch") != null) {
                skipped("install", "executorch " + versions.get("executorch") + " and torch " + versions.get("torch") + " are installed");
                return;
            }
            if (installed != null) io.info("the installed executorch (" + versions.get("executorch") + ") is not from this checkout; installing");
        }
        long t0 = System.nanoTime();
        io.info("this takes 10-40 minutes; follow it with: tail -f " + Kit.shq(logs.resolve("setup-install.log").toString()));
        String path = Kit.pathFirst(venv.resolve("bin"), env);
        exec("install", Kit.Cmd.of(venvPython.toString(), "install_executorch.py").in(et)
                .env(Map.of("PATH", path, "VIRTUAL_ENV", venv.toString())));
        if (!dryRun) {
            versions = probeVersions();
            if (versions.get("executorch") == null)
                throw Kit.UserError.failed("the installer finished but `import executorch` fails in " + venvPython,
                        "read " + logs.resolve("setup-install.log") + "; then run SetupRepo again");
        }
        done("install", t0, "installed executorch " + versions.get("executorch") + ", torch " + versions.get("torch"));
    }

    // ---------------------------------------------------------------- processes

    /** Runs a command that changes something (printed, not run, under --dry-run); output goes to logs/setup-<step>.log. */
    private void exec(String step, Kit.Cmd cmd) {
        Path log = logs.resolve("setup-" + step + ".log");
        List<String> argv = new ArrayList<>(cmd.argv());
        if (!dryRun) {
            Path exe = Kit.which(env, argv.get(0));
            if (exe == null) throw Kit.UserError.failed(argv.get(0) + " not found on PATH", "install it, or check PATH");
            argv.set(0, exe.toString());
        }
        Map<String, String> e = new LinkedHashMap<>(Map.of("PATH", env.getOrDefault("PATH", "")));
        e.putAll(cmd.env());
        Kit.Result r = Kit.exec(io, new Kit.Cmd(argv, cmd.dir(), e, cmd.timeout(), dryRun ? null : log, null, false));
        if (!r.ok()) {
            String shown = Kit.Cmd.of(cmd.argv()).display();
            String cause = lastError(r);
            throw Kit.UserError.failed(step + " failed (" + r.why() + ")"
                            + (cause.isEmpty() ? "" : ": " + cause) + "\n  command: " + (cmd.dir() != null ? "(cd " + Kit.shq(cmd.dir().toString()) + ") " : "")
                            + shown + "\n  log: " + log,
                    likelyFix(step, r.output() + "\n" + (r.startError() == null ? "" : r.startError())));
        }
    }

    private Kit.Result probe(Path dir, String... argv) { return Kit.query(env, dir, Duration.ofMinutes(2), argv); }

    /** Python, torch and executorch versions as the venv's python reports them (empty values when it cannot run). */
    private Map<String, Object> probeVersions() {
        Kit.Result r = probe(root, venvPython.toString(), "-I", "-c", PROBE_CODE);
        String line = r.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (!r.ok() || line == null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("python", null);
            return m;
        }
        try {
            @SuppressWarnings("unchecked") Map<String, Object> m = Kit.JSON.readValue(line, LinkedHashMap.class);
            return m;
        } catch (IOException e) {
            return new LinkedHashMap<>();
        }
    }

    private boolean gitDirty() {
        Kit.Result st = probe(et, "git", "status", "--porcelain", "--untracked-files=no");
        return st.ok() && !st.output().isBlank();
    }

    // ---------------------------------------------------------------- failure hints

    /** The most telling line of a failed command's output: the last error/fatal line, else the last line. */
    static String lastError(Kit.Result r) {
        List<String> lines = r.output().lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i), low = l.toLowerCase(Locale.ROOT);
            if (low.startsWith("fatal:") || low.startsWith("error") || low.contains("error:") || low.startsWith("cmake error")) return Kit.cut(l);
        }
        return lines.isEmpty() ? "" : Kit.cut(lines.get(lines.size() - 1));
    }

    /** The likely fix for a failed step, from what its output says. */
    static String likelyFix(String step, String output) {
        String o = output.toLowerCase(Locale.ROOT);
        if (o.contains("could not resolve host") || o.contains("temporary failure in name resolution") || o.contains("failed to connect")
                || o.contains("connection timed out") || o.contains("network is unreachable") || o.contains("connection reset")
                || o.contains("unable to access") || o.contains("ssl"))
            return "a network problem: check the connection (or set HTTPS_PROXY), then run SetupRepo again; finished steps are skipped";
        if (o.contains("remote branch") && o.contains("not found") || o.contains("not found in upstream"))
            return "that ref does not exist: pass a release tag such as " + Kit.Versions.REF + " (list them: git ls-remote --tags " + Kit.Versions.URL + ")";
        if (o.contains("no matching distribution") || o.contains("could not find a version that satisfies"))
            return "pip found no matching wheel (usually torch) for this Python or platform: use Python " + Kit.Versions.PYTHON_RANGE
                    + " on an Apple Silicon Mac or Linux (remove .venv, then --python python3.12)";
        if (o.contains("no space left on device")) return "free disk space (a workspace needs about 15 GB), then run SetupRepo again";
        if (o.contains("cmake") && (o.contains("error") || o.contains("not found")) || o.contains("no cmake_cxx_compiler"))
            return "install the build tools (a C++ compiler: Xcode command line tools or clang/build-essential; cmake; ninja), then run SetupRepo again";
        if (step.equals("venv")) return "install the venv module (Debian/Ubuntu: sudo apt install python3-venv) or pass another --python";
        return "read the log, fix the cause, and run SetupRepo again (finished steps are skipped)";
    }

    // ---------------------------------------------------------------- helpers

    private void done(String name, long t0, String detail) {
        double s = secs(t0);
        steps.add(new Step(name, dryRun ? "planned" : "done", Kit.round(s), detail));
        if (!dryRun) io.ok(detail + " (" + Kit.duration(s) + ")");
    }

    private void skipped(String name, String detail) {
        steps.add(new Step(name, "skipped", 0, detail));
        io.ok(detail + "; skipped");
    }

    private void pythonInRange(int[] v, String who, String fix) {
        if (!pins.pythonOk(v))
            throw Kit.UserError.failed(who + " is Python " + v[0] + "." + (v.length > 1 ? v[1] : 0) + ", but ExecuTorch " + pins.ref()
                    + " needs " + pins.pythonRange(), fix);
    }

    private boolean appleSilicon() {
        if (System.getProperty("os.arch").contains("aarch64") || System.getProperty("os.arch").contains("arm")) return true;
        Kit.Result r = probe(root, "sysctl", "-n", "hw.optional.arm64");
        return r.ok() && r.output().trim().equals("1");
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw Kit.UserError.failed("cannot create " + p + ": " + e.getMessage(), "check the path and its permissions");
        }
    }

    static String shortSha(String s) { return s == null ? "unknown commit" : s.substring(0, Math.min(12, s.length())); }

    private static double secs(long t0) { return (System.nanoTime() - t0) / 1e9; }
}
