import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake machine for ValidateSetup tests: a bin/ folder of fake tools (the only PATH the checks see), a workspace with
 * optional executorch/ checkout, .venv and runners, a cpuinfo file, and an Android NDK folder. {@link #args} turns it
 * into the script's options (the hidden --env overrides unset every host variable the checks read).
 */
public final class ValidateSetupEnv {
    /** The commit the fake git reports as HEAD, and the one the workspace's configs/versions.json pins. */
    public static final String SHA = "e2f18eb2a1b2c3d4e5f60718293a4b5c6d7e8f90";
    public final Path home, bin, ws;
    public final Map<String, String> env = new LinkedHashMap<>();

    public ValidateSetupEnv(Path tmp) {
        home = tmp;
        bin = tmp.resolve("bin");
        ws = tmp.resolve("ws");
        try {
            Files.createDirectories(bin);
            Files.createDirectories(ws.resolve("configs"));
            Files.writeString(ws.resolve("configs/versions.json"),
                    "{\"executorch\": {\"ref\": \"v1.3.1\", \"sha\": \"" + SHA + "\"}, \"python\": {\"min\": \"3.10\", \"max\": \"3.13\"}}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.put("PATH", bin.toString());
        for (String v : List.of("ANDROID_NDK", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT", "ANDROID_SERIAL", "JBANG_LAUNCH_CMD", "CC")) env.put(v, "");
        cpuinfo(false);
    }

    /** A fake tool that prints this text (any arguments) and exits 0. */
    public ValidateSetupEnv prints(String name, String text) {
        TestKit.fakeTool(bin, name, "cat <<'EOF'\n" + text + "\nEOF");
        return this;
    }

    public ValidateSetupEnv tool(String name, String bashBody) {
        TestKit.fakeTool(bin, name, bashBody);
        return this;
    }

    /** Tools of a healthy Linux host: git, python3 3.12, cmake 3.31, ninja, cc (clang 18), uname aarch64. */
    public ValidateSetupEnv healthy() {
        git(SHA, false, null);
        prints("python3", "Python 3.12.4");
        prints("cmake", "cmake version 3.31.6\n\nCMake suite maintained and supported by Kitware (kitware.com/cmake).");
        prints("ninja", "1.12.1");
        prints("cc", "clang version 18.1.8\nTarget: aarch64-unknown-linux-gnu\nThread model: posix");
        prints("uname", "aarch64");
        return this;
    }

    /** A fake git: HEAD is sha, `status --porcelain` lists a change when dirty, `rev-parse --verify REF^{commit}` answers refSha (fails when null). */
    public ValidateSetupEnv git(String sha, boolean dirty, String refSha) {
        tool("git", String.join("\n",
                "case \"$*\" in",
                "  --version) echo 'git version 2.45.1' ;;",
                "  *'rev-parse HEAD'*) " + (sha == null ? "echo 'fatal: not a git repository' >&2; exit 128" : "echo " + sha) + " ;;",
                "  *'status --porcelain'*) " + (dirty ? "echo ' M CMakeLists.txt'" : "true") + " ;;",
                "  *'rev-parse --verify'*) " + (refSha == null ? "exit 1" : "echo " + refSha) + " ;;",
                "  *) exit 1 ;;",
                "esac"));
        return this;
    }

    /** An executorch/ folder with its submodules filled (the file BuildRunners needs from each), and a .venv python whose torch is the pinned 2.12.0. */
    public ValidateSetupEnv checkout() {
        Kit.Prereqs.SUBMODULES.forEach((dir, file) -> write(ws.resolve("executorch").resolve(dir).resolve(file), "# fake\n"));
        return torch("2.12.0");
    }

    /** .venv/bin/python answering the torch probe with this version ("none": no torch); anything else fails. */
    public ValidateSetupEnv torch(String version) {
        String answer = version.equals("none") ? "{\"path\": null, \"version\": null}"
                : "{\"path\": \"" + ws.resolve(".venv/lib/python3.12/site-packages/torch") + "\", \"version\": \"" + version + "\"}";
        return venvPython("case \"$*\" in *sme2:torch-probe*) echo '" + answer + "' ;; *) exit 1 ;; esac");
    }

    /** .venv/bin/python as a fake script with this bash body. */
    public ValidateSetupEnv venvPython(String bashBody) {
        TestKit.fakeTool(ws.resolve(".venv/bin"), "python", bashBody);
        return this;
    }

    public Path runnerPath(String variant) { return ws.resolve("executorch/cmake-out").resolve(variant).resolve("executor_runner"); }

    /** A runner binary (a fake script) for the variant, with build.json when given. */
    public Path runner(String variant, String buildJson) {
        Path dir = ws.resolve("executorch/cmake-out").resolve(variant);
        Path r = TestKit.fakeTool(dir, "executor_runner", "echo fake runner");
        if (buildJson != null) write(dir.resolve("build.json"), buildJson);
        return r;
    }

    public ValidateSetupEnv cpuinfo(boolean sme2) {
        write(home.resolve("cpuinfo"), "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics"
                + (sme2 ? " sve2 sme sme2 smei16i64" : " sve2") + "\nCPU implementer\t: 0x41\n");
        env.put("SME2_CPUINFO", home.resolve("cpuinfo").toString());
        return this;
    }

    /** An NDK folder with this Pkg.Revision (e.g. 27.0.12077973) and its CMake toolchain file; sets ANDROID_NDK. */
    public Path ndk(String revision) {
        Path ndk = home.resolve("ndk-" + revision);
        write(ndk.resolve("source.properties"), "Pkg.Desc = Android NDK\nPkg.Revision = " + revision + "\n");
        write(ndk.resolve("build/cmake/android.toolchain.cmake"), "# fake\n");
        env.put("ANDROID_NDK", ndk.toString());
        return ndk;
    }

    /** A fake adb: `adb devices` prints these "serial state" lines; `shell cat /proc/cpuinfo` prints features with or without sme2. */
    public ValidateSetupEnv adb(List<String> devices, boolean deviceSme2) {
        StringBuilder list = new StringBuilder("List of devices attached\n");
        for (String d : devices) list.append(d.replace(' ', '\t')).append('\n');
        tool("adb", String.join("\n",
                "case \"$*\" in",
                "  version) echo 'Android Debug Bridge version 1.0.41'; echo 'Version 35.0.2-12147458' ;;",
                "  devices) cat <<'EOF'\n" + list + "EOF",
                "  ;;",
                "  *'shell cat /proc/cpuinfo'*) echo 'processor : 0'; echo 'Features : fp asimd sve2" + (deviceSme2 ? " sme sme2" : "") + "' ;;",
                "  *) exit 1 ;;",
                "esac"));
        return this;
    }

    public ValidateSetupEnv versions(String json) {
        write(ws.resolve("configs/versions.json"), json);
        return this;
    }

    /** The script's arguments: --workspace, one hidden --env per override, then more. */
    public String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of("--workspace", ws.toString()));
        env.forEach((k, v) -> {
            a.add("--env");
            a.add(k + "=" + v);
        });
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    public static void write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
