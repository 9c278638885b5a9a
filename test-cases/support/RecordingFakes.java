import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recording fake tools for the setup/build/export/quick-test scripts: each fake appends one line per call to
 * {@code calls.log} (tool, working folder, first PATH entry, VIRTUAL_ENV, arguments) and then acts plausibly (a fake git
 * clones into a folder holding its state in {@code .fakegit/}, a fake cmake writes a CMakeCache and a small "binary"
 * with or without SME2 kernel names…). {@link #env()} gives an environment whose PATH holds only the fakes and a few
 * real system tools, so nothing else on the machine (ccache, nm, a real cmake) changes what the scripts do.
 * Failure switches are files in {@link #dir} (e.g. {@code fail-clone}, {@code fail-install}, {@code fail-build}).
 */
public final class RecordingFakes {
    public static final String ET_SHA = "e2f18eb23c45bd22ca332b0b8b49a81de304b472";
    public static final String SME2_KERNEL = "xnn_pf32_gemm_minmax_ukernel_32x32c2__neonsme2";
    /** Real tools the fakes themselves need, linked into sys/ (so /usr/bin is not on the PATH the scripts see). */
    private static final List<String> SYSTEM_TOOLS = List.of("bash", "sh", "cat", "mkdir", "cp", "grep", "sed", "sha1sum", "cut",
            "touch", "chmod", "rm", "head", "tail", "tr", "sort", "dirname", "basename", "ls", "env", "printf", "echo", "sleep", "date", "wc");

    public final Path dir, bin, sys, log;

    public RecordingFakes(Path dir) {
        this.dir = dir.toAbsolutePath();
        this.bin = this.dir.resolve("bin");
        this.log = this.dir.resolve("calls.log");
        this.sys = systemTools();
        try {
            Files.createDirectories(bin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder of links to the real tools the fakes need, shared by all tests (outside their temporary folders). */
    private static synchronized Path systemTools() {
        Path sys = Path.of(System.getProperty("java.io.tmpdir"), "sme2-recording-fakes-sys-" + System.getProperty("user.name"));
        try {
            Files.createDirectories(sys);
            for (String t : SYSTEM_TOOLS) {
                for (String d : List.of("/usr/bin", "/bin")) {
                    Path real = Path.of(d, t);
                    if (Files.isExecutable(real) && !Files.exists(sys.resolve(t), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        try {
                            Files.createSymbolicLink(sys.resolve(t), real);
                        } catch (java.nio.file.FileAlreadyExistsException raced) { // another test made it
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sys;
    }

    // ---------------------------------------------------------------- recording

    /** One recorded call. args with newlines (python -c code) keep them escaped as \n. */
    public record Call(String tool, Path cwd, String path1, String virtualEnv, List<String> args) {
        /** "tool arg arg" with multi-line arguments shown as &lt;code&gt;. */
        public String line() {
            List<String> parts = new ArrayList<>();
            parts.add(tool);
            for (String a : args) parts.add(a.contains("\\n") ? "<code>" : a);
            return String.join(" ", parts);
        }

        /** "[cwd relative to base] tool args" ("." for base itself). */
        public String line(Path base) {
            String rel = base.equals(cwd) ? "." : cwd.startsWith(base) ? base.relativize(cwd).toString() : cwd.toString();
            return "[" + rel + "] " + line();
        }
    }

    public List<Call> calls() {
        if (!Files.exists(log)) return List.of();
        try {
            List<Call> out = new ArrayList<>();
            for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                String[] f = l.split("\t", 4);
                String[] rest = f[3].split("\u001f", -1);
                out.add(new Call(f[0], Path.of(f[1]), f[2], rest[0], List.of(Arrays.copyOfRange(rest, 1, rest.length))));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> lines() { return calls().stream().map(Call::line).toList(); }

    public List<String> lines(Path base) { return calls().stream().map(c -> c.line(base.toAbsolutePath())).toList(); }

    public void clear() {
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a failure switch file (e.g. "fail-install") that the fakes test for. */
    public RecordingFakes fail(String what) {
        write(dir.resolve("fail-" + what), "");
        return this;
    }

    /** The environment for a script under test: the real one without variables that would change its choices, PATH = fakes + sys. */
    public Map<String, String> env() {
        Map<String, String> e = new HashMap<>(System.getenv());
        for (String k : List.of("JBANG_LAUNCH_CMD", "ANDROID_NDK", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT", "CC", "CXX", "SME2_WORKSPACE", "VIRTUAL_ENV", "PYTHON_EXECUTABLE"))
            e.remove(k);
        e.put("PATH", bin + ":" + sys);
        return e;
    }

    // ---------------------------------------------------------------- fakes

    /** A recording fake named name in bin/, running bashBody after recording the call. */
    public Path tool(String name, String bashBody) { return toolAt(bin.resolve(name), name, bashBody); }

    /** A recording fake at any path (e.g. a workspace's .venv/bin/python), recorded under name. */
    public Path toolAt(Path file, String name, String bashBody) {
        write(file, header(name) + bashBody + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** git: --version, clone (state in DEST/.fakegit: ref, sha, dirty, submodules), rev-parse, status, describe, submodule. */
    public RecordingFakes git() {
        tool("git", """
                st="$PWD/.fakegit"
                shafor() { if [ "$1" = v1.3.1 ]; then echo %s; else printf '%%s' "$1" | sha1sum | cut -c1-40; fi; }
                case "$1" in
                  --version) echo "git version 2.43.0" ;;
                  clone)
                    ref=""; pos=()
                    shift
                    while [ $# -gt 0 ]; do case "$1" in --branch) ref="$2"; shift 2 ;; --depth) shift 2 ;; --) shift; pos+=("$@"); break ;; -*) echo "error: unknown option '$1'" >&2; exit 129 ;; *) pos+=("$1"); shift ;; esac; done
                    if [ -f "$FAKES/fail-clone" ]; then echo "Cloning into '${pos[1]}'..." >&2; echo "fatal: unable to access '${pos[0]}/': Could not resolve host: github.com" >&2; exit 128; fi
                    d="${pos[1]}"; mkdir -p "$d/.git" "$d/.fakegit"
                    echo "$ref" > "$d/.fakegit/ref"; shafor "$ref" > "$d/.fakegit/sha"
                    touch "$d/CMakeLists.txt" "$d/install_executorch.py" "$d/install_executorch.sh"
                    echo "Cloning into '$d'..." >&2 ;;
                  rev-parse)
                    if [ "$2" = HEAD ]; then cat "$st/sha"; exit 0; fi
                    want="${@: -1}"; want="${want%%'^{commit}'}"
                    if [ "$(cat "$st/ref")" = "$want" ]; then cat "$st/sha"; else exit 1; fi ;;
                  status) if [ -f "$st/dirty" ]; then cat "$st/dirty"; fi ;;
                  describe) cat "$st/ref" ;;
                  submodule)
                    case "$2" in
                      status) if [ -f "$st/submodules" ]; then echo " 1adaa7c709d4839d29e1f219cb962b01c9e6a905 backends/xnnpack/third-party/XNNPACK (heads/master)";
                              else echo "-1adaa7c709d4839d29e1f219cb962b01c9e6a905 backends/xnnpack/third-party/XNNPACK"; fi ;;
                      sync) echo "Synchronizing submodule url for 'backends/xnnpack/third-party/XNNPACK'" ;;
                      update) if [ -f "$FAKES/fail-submodules" ]; then echo "fatal: unable to access 'https://github.com/google/XNNPACK.git/': Could not resolve host: github.com" >&2; exit 1; fi
                              if [ ! -f "$FAKES/fail-submodule-content" ]; then for f in %s; do mkdir -p "$(dirname "$f")"; touch "$f"; done; fi
                              touch "$st/submodules"; echo "Submodule path 'backends/xnnpack/third-party/XNNPACK': checked out '1adaa7c709d4839d29e1f219cb962b01c9e6a905'" ;;
                    esac ;;
                  *) echo "fake git: unexpected $*" >&2; exit 2 ;;
                esac
                """.formatted(ET_SHA, String.join(" ", Kit.Prereqs.SUBMODULES.entrySet().stream().map(e -> q(e.getKey() + "/" + e.getValue())).toList())));
        return this;
    }

    /** A base python (e.g. python3): --version, and -m venv DIR, which creates DIR/bin/python (see {@link #venvPython}). */
    public RecordingFakes python(String name, String version) {
        Path venvPython = dir.resolve("venv-python.sh");
        write(venvPython, venvPythonScript(version));
        tool(name, """
                case "$1" in
                  --version) echo "Python %s" ;;
                  -m) if [ "$2" = venv ]; then mkdir -p "$3/bin"; echo "home = /usr/bin" > "$3/pyvenv.cfg"; cp %s "$3/bin/python"; chmod +x "$3/bin/python"
                      else echo "fake python: unexpected $*" >&2; exit 2; fi ;;
                  *) echo "fake python: unexpected $*" >&2; exit 2 ;;
                esac
                """.formatted(version, q(venvPython.toString())));
        return this;
    }

    /** Writes a venv python (recording, as "python") at venv/bin/python, as `python3 -m venv` would create it. */
    public Path venvPython(Path venv, String version) {
        Path p = venv.resolve("bin/python");
        write(p, venvPythonScript(version));
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /**
     * The venv python's behaviour: the version probe (-I -c) prints versions, torch and executorch
     * only once install_executorch.py ran (state file .venv/installed), and so does an import probe (-c: "python V",
     * "executorch V" as ValidateSetup reads them); install_executorch.py records the checkout's sha;
     * an export program (a .py file with --result) copies the file named by $FAKES/export-pte to --pte, writes --etrecord (not with fail-etrecord)
     * and a result JSON; model "nosuch_model" gives an unknown-model error, model "efficient_sam" with fail-download a download
     * error (its weights come from the network); --list-models prints the registry.
     */
    private String venvPythonScript(String version) {
        return header("python") + """
                venv="$(cd "$(dirname "$0")/.." && pwd)"
                if [ "$1" = -I ] && [ "$2" = -c ]; then
                  if [ -f "$venv/installed" ]; then s="$(cat "$venv/installed")"
                    echo "{\\"python\\": \\"%1$s\\", \\"executable\\": \\"$venv/bin/python\\", \\"torch\\": \\"2.12.0\\", \\"executorch\\": \\"1.3.1+${s:0:7}\\", \\"executorch_git\\": \\"$s\\"}"
                  else echo "{\\"python\\": \\"%1$s\\", \\"executable\\": \\"$venv/bin/python\\", \\"torch\\": null, \\"executorch\\": null, \\"executorch_git\\": null}"; fi
                  exit 0
                fi
                if [ "$1" = -c ] && [[ "$2" == *sme2:torch-probe* ]]; then
                  t="2.12.0"; if [ -f "$venv/torch-version" ]; then t="$(cat "$venv/torch-version")"; fi
                  if [ "$t" = none ]; then echo '{"path": null, "version": null}'; else echo "{\\"path\\": \\"$venv/lib/python%1$s/site-packages/torch\\", \\"version\\": \\"$t\\"}"; fi
                  exit 0
                fi
                if [ "$1" = -c ]; then
                  if [ -f "$venv/installed" ]; then s="$(cat "$venv/installed")"; echo "python %1$s"; echo "executorch 1.3.1+${s:0:7}"; exit 0; fi
                  echo "ModuleNotFoundError: No module named 'executorch'" >&2; exit 1
                fi
                if [ "$1" = --version ]; then echo "Python %1$s"; exit 0; fi
                if [ "$1" = install_executorch.py ]; then
                  if [ -f "$FAKES/fail-install" ]; then echo "Collecting torch==2.12.0"; echo "ERROR: Could not find a version that satisfies the requirement torch==2.12.0 (from versions: none)"; echo "ERROR: No matching distribution found for torch==2.12.0"; exit 1; fi
                  echo "[ExecuTorch] INFO: All required submodules are present."; echo "Successfully installed executorch-1.3.1"
                  cat "$PWD/.fakegit/sha" > "$venv/installed"; exit 0
                fi
                if [ "$1" = -m ] && [ "$2" = py_compile ]; then exit 0; fi
                case "$1" in *.py)
                  prog="$1"; shift; pte=""; et=""; res=""; model=""; list=""; dtype=""; backend=""
                  while [ $# -gt 0 ]; do case "$1" in --pte) pte="$2"; shift 2 ;; --etrecord) et="$2"; shift 2 ;; --result) res="$2"; shift 2 ;;
                    --model) model="$2"; shift 2 ;; --dtype) dtype="$2"; shift 2 ;; --backend) backend="$2"; shift 2 ;; --list-models) list=1; shift ;; *) shift ;; esac; done
                  if [ -n "$list" ]; then echo '{"builtin": ["toy_cnn"], "registry": ["add", "mv2", "mv2_untrained", "mv3", "resnet18", "ds_cnn", "mobilenet_v1_025"], "executorch": "1.3.1"}' > "$res"; exit 0; fi
                  echo "exporting $model ($backend, $dtype)"
                  if [ "$model" = nosuch_model ] || [ "$model" = mobilenet_v3_small ]; then
                    echo "{\\"ok\\": false, \\"error\\": {\\"kind\\": \\"unknown_model\\", \\"phase\\": \\"load\\", \\"message\\": \\"unknown model $model\\", \\"available\\": [\\"add\\", \\"mv2\\", \\"mv2_untrained\\", \\"mv3\\", \\"resnet18\\", \\"ds_cnn\\", \\"mobilenet_v1_025\\"]}}" > "$res"; exit 3; fi
                  if [ "$model" = efficient_sam ] && [ -f "$FAKES/fail-download" ]; then echo "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>"
                    echo "{\\"ok\\": false, \\"error\\": {\\"kind\\": \\"download\\", \\"phase\\": \\"load\\", \\"message\\": \\"URLError: <urlopen error [Errno -3] Temporary failure in name resolution>\\"}}" > "$res"; exit 1; fi
                  if [ -f "$FAKES/fail-export" ]; then echo "Traceback (most recent call last):"; echo "RuntimeError: Missing out variants: {'aten::_fancy_op'}"
                    echo "{\\"ok\\": false, \\"error\\": {\\"kind\\": \\"unsupported_op\\", \\"phase\\": \\"to_executorch\\", \\"message\\": \\"RuntimeError: Missing out variants: {'aten::_fancy_op'}\\"}}" > "$res"; exit 1; fi
                  cp "$(cat "$FAKES/export-pte")" "$pte"
                  if [ -f "$FAKES/fail-etrecord" ]; then eterr="\\"RuntimeError: ETRecord was not generated\\""; else printf 'PK-fake-etrecord' > "$et"; eterr=null; fi
                  echo "{\\"ok\\": true, \\"versions\\": {\\"python\\": \\"%1$s\\", \\"torch\\": \\"2.12.0\\", \\"executorch\\": \\"1.3.1+e2f18eb\\", \\"executorch_git\\": \\"%2$s\\"}, \\"inputs\\": [{\\"shape\\": [1, 3, 96, 96], \\"dtype\\": \\"torch.float16\\"}], \\"etrecord_api\\": \\"generate_etrecord=True\\", \\"etrecord_error\\": $eterr, \\"seconds\\": {\\"load\\": 0.1, \\"export\\": 0.2, \\"lower\\": 0.3, \\"save\\": 0.1}}" > "$res"
                  exit 0 ;;
                esac
                echo "fake venv python: unexpected $*" >&2; exit 2
                """.formatted(version, ET_SHA);
    }

    /**
     * cmake: --version; configure (-S -B -G -D…) writes B/CMakeCache.txt (one NAME:UNINITIALIZED=VALUE per -D) and
     * B/CMakeFiles/&lt;version&gt;/CMakeCCompiler.cmake with the given compiler; --build B writes B/executor_runner holding
     * an SME2 kernel name when the cache has XNNPACK_ENABLE_ARM_SME2=ON.
     */
    public RecordingFakes cmake(String version, String compilerId, String compilerVersion) {
        tool("cmake", """
                if [ "$1" = --version ]; then printf 'cmake version %1$s\\n\\nCMake suite maintained and supported by Kitware (kitware.com/cmake).\\n'; exit 0; fi
                if [ "$1" = --build ]; then
                  b="$2"
                  if [ -f "$FAKES/fail-build" ]; then echo "FAILED: backends/xnnpack/third-party/XNNPACK/src/foo.c.o"; echo "error: unknown target CPU 'armv9-a'"; echo "ninja: build stopped: subcommand failed."; exit 1; fi
                  if grep -q '^XNNPACK_ENABLE_ARM_SME2:[A-Z]*=ON$' "$b/CMakeCache.txt" && [ ! -f "$FAKES/fail-sme2-kernels" ]; then
                    printf '\\177ELF fake runner\\000%2$s\\000xnn_qp8_f32_qc4w_gemm_minmax_ukernel_16x64c4__neonsme2\\000etdump_path\\000' > "$b/executor_runner"
                  else printf '\\177ELF fake runner\\000xnn_f32_gemm_minmax_ukernel_6x8__neon\\000etdump_path\\000' > "$b/executor_runner"; fi
                  chmod +x "$b/executor_runner"; echo "[1/1] Linking CXX executable executor_runner"; exit 0
                fi
                b=""; prev=""
                for a in "$@"; do [ "$prev" = -B ] && b="$a"; prev="$a"; done
                case "$b" in /*) ;; *) b="$PWD/$b" ;; esac
                mkdir -p "$b/CMakeFiles/%1$s"
                : > "$b/CMakeCache.txt"
                for a in "$@"; do case "$a" in -D*=*) kv="${a#-D}"; echo "${kv%%%%=*}:UNINITIALIZED=${kv#*=}" >> "$b/CMakeCache.txt" ;; esac; done
                if [ -f "$FAKES/fail-configure" ]; then echo "CMake Error at CMakeLists.txt:48 (project): No CMAKE_CXX_COMPILER could be found."; exit 1; fi
                cflags="$(sed -n 's/^CMAKE_C_FLAGS:UNINITIALIZED=//p' "$b/CMakeCache.txt")"
                printf 'build backends/xnnpack/third-party/XNNPACK/CMakeFiles/xnnpack-logging.dir/src/log.c.o: C_COMPILER__xnnpack-logging_Release src/log.c\n  DEFINES = -DXNN_ENABLE_ARM_SME2=1 -DXNN_LOG_LEVEL=0\n  FLAGS = %%s -O3 -DNDEBUG -fPIC -O2\n\n' "$cflags" > "$b/build.ninja"
                printf 'set(CMAKE_C_COMPILER "/usr/bin/cc")\\nset(CMAKE_C_COMPILER_ID "%3$s")\\nset(CMAKE_C_COMPILER_VERSION "%4$s")\\n' > "$b/CMakeFiles/%1$s/CMakeCCompiler.cmake"
                echo "-- Configuring done"; echo "-- Generating done"; echo "-- Build files have been written to: $b"
                """.formatted(version, SME2_KERNEL, compilerId, compilerVersion));
        return this;
    }

    public RecordingFakes ninja(String version) {
        tool("ninja", "if [ \"$1\" = --version ]; then echo " + q(version) + "; else echo 'fake ninja'; fi");
        return this;
    }

    /** A C compiler driver (cc, clang…) answering --version with versionText. */
    public RecordingFakes compiler(String name, String versionText) {
        tool(name, "if [ \"$1\" = --version ]; then printf '%s\\n' " + q(versionText) + "; else echo 'fake compiler'; fi");
        return this;
    }

    /** uname answering -m with machine and -s with sysname. */
    public RecordingFakes uname(String sysname, String machine) {
        tool("uname", "case \"$1\" in -m) echo " + q(machine) + " ;; -s) echo " + q(sysname) + " ;; *) echo " + q(sysname) + " ;; esac");
        return this;
    }

    /**
     * jbang running the project's scripts as plausible stand-ins: ValidateSetup prints {ok, checks} (a fail check and exit 1
     * when fail-validate-&lt;stage&gt; exists), BuildRunners creates the runners of --variants, ExportModel copies the file
     * named by export-pte to models/toy_cnn_xnnpack_fp16.pte, MacPipeline/AndroidPipeline make a run folder under the
     * config's output_root with analysis/report.html and print {run_dir, status} (fail-pipeline: an error and exit 1),
     * ValidateResults says ok.
     */
    public RecordingFakes jbang() {
        tool("jbang", """
                script="$(basename "$1")"; shift
                ws=""; stage=""; results=""; variants=""; prev=""
                for a in "$@"; do case "$prev" in --workspace) ws="$a" ;; --stage) stage="$a" ;; --results) results="$a" ;; --variants) variants="$a" ;; esac; prev="$a"; done
                case "$script" in
                  SetupRepo.java) echo "==> SetupRepo: workspace $ws" >&2 ;;
                  ValidateSetup.java)
                    echo "==> ValidateSetup: $stage" >&2
                    if [ -f "$FAKES/fail-validate-$stage" ]; then
                      echo "[fail] executorch: no ExecuTorch checkout at $ws/executorch" >&2
                      printf '{"ok": false, "checks": [{"id": "executorch", "status": "fail", "message": "no ExecuTorch checkout at %s/executorch", "fix": "run SetupRepo"}]}\n' "$ws"
                      exit 1
                    fi
                    echo '{"ok": true, "checks": [{"id": "java", "status": "ok", "message": "java 17", "fix": null}, {"id": "host-sme2", "status": "warn", "message": "no SME2 on this host", "fix": "use an Apple M4"}]}' ;;
                  BuildRunners.java)
                    for v in ${variants//,/ }; do d="$ws/executorch/cmake-out/$v"; mkdir -p "$d"; printf '#!/bin/sh\\n' > "$d/executor_runner"; chmod +x "$d/executor_runner"; done
                    echo "[ok] built $variants" >&2 ;;
                  ExportModel.java) mkdir -p "$ws/models"; cp "$(cat "$FAKES/export-pte")" "$ws/models/toy_cnn_xnnpack_fp16.pte"; echo "[ok] exported" >&2 ;;
                  MacPipeline.java|AndroidPipeline.java)
                    if [ -f "$FAKES/fail-pipeline" ]; then echo "error: mac_sme2_on/t1: the runner crashed (exit 139)" >&2; echo "fix: rebuild the runner with --clean" >&2; exit 1; fi
                    root="$(sed -n 's/.*"output_root" *: *"\\([^"]*\\)".*/\\1/p' "$1")"; run="$root/20261125-140312-toy_cnn_xnnpack_fp16"
                    mkdir -p "$run/analysis"; echo "<html></html>" > "$run/analysis/report.html"
                    echo "==> ${script%.java}: 2 experiments" >&2
                    printf '{\\n  "run_dir" : "%s",\\n  "status" : "ok"\\n}\\n' "$run" ;;
                  ValidateResults.java) echo "[ok] $results is a valid run folder" >&2 ;;
                  *) echo "fake jbang: unexpected $script" >&2; exit 2 ;;
                esac
                """);
        return this;
    }

    /** An existing ExecuTorch checkout at ws/executorch as the fake git clones it (ref, sha; dirty = `git status --porcelain` lines or null). */
    public static Path checkout(Path ws, String ref, String dirty) {
        Path et = ws.resolve("executorch");
        write(et.resolve(".git/HEAD"), "ref\n");
        write(et.resolve("CMakeLists.txt"), "# fake ExecuTorch\n");
        write(et.resolve(".fakegit/ref"), ref + "\n");
        write(et.resolve(".fakegit/sha"), (ref.equals("v1.3.1") ? ET_SHA : "0123456789abcdef0123456789abcdef01234567") + "\n");
        write(et.resolve(".fakegit/submodules"), "");
        fillSubmodules(et);
        if (dirty != null) write(et.resolve(".fakegit/dirty"), dirty);
        return et;
    }

    /** The file BuildRunners' preflight looks for in each submodule the runner needs (Kit.Prereqs.SUBMODULES), as an initialised checkout has it. */
    public static void fillSubmodules(Path executorch) {
        Kit.Prereqs.SUBMODULES.forEach((dir, file) -> write(executorch.resolve(dir).resolve(file), "# fake " + file + "\n"));
    }

    /** An Android NDK folder with source.properties (Pkg.Revision) and its toolchain file; returns its path. */
    public Path ndk(String revision) {
        Path ndk = dir.resolve("android-ndk-r" + revision.split("\\.")[0]);
        write(ndk.resolve("source.properties"), "Pkg.Desc = Android NDK\nPkg.Revision = " + revision + "\n");
        write(ndk.resolve("build/cmake/android.toolchain.cmake"), "# fake toolchain\n");
        for (String host : List.of("linux-x86_64", "darwin-x86_64"))
            write(ndk.resolve("toolchains/llvm/prebuilt/" + host + "/sysroot/usr/lib/aarch64-linux-android/libc++_shared.so"), "fake libc++\n");
        return ndk;
    }

    // ---------------------------------------------------------------- helpers

    /** The start of every fake: the shebang, the line appended to calls.log, and FAKES=dir. */
    private String header(String name) {
        return "#!/bin/bash\n"
                + "{ printf '%s\\t%s\\t%s\\t%s' " + q(name) + " \"$PWD\" \"${PATH%%:*}\" \"${VIRTUAL_ENV:-}\"; "
                + "for a in \"$@\"; do a=\"${a//$'\\n'/\\\\n}\"; printf '\\037%s' \"$a\"; done; printf '\\n'; } >> " + q(log.toString()) + "\n"
                + "FAKES=" + q(dir.toString()) + "\n";
    }

    public static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Single-quotes a word for bash. */
    static String q(String s) { return "'" + s.replace("'", "'\\''") + "'"; }
}
