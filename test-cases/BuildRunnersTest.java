import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** BuildRunners against recording fakes (cmake, ninja, cc, uname, git) first on PATH. */
class BuildRunnersTest {
    static final List<String> COMMON_ON = List.of("-DCMAKE_BUILD_TYPE=Release", "-DPYTHON_EXECUTABLE=%s",
            "-DEXECUTORCH_BUILD_EXECUTOR_RUNNER=ON", "-DEXECUTORCH_BUILD_EXTENSION_EVALUE_UTIL=ON", "-DEXECUTORCH_BUILD_EXTENSION_RUNNER_UTIL=ON",
            "-DEXECUTORCH_BUILD_DEVTOOLS=ON", "-DEXECUTORCH_ENABLE_EVENT_TRACER=ON", "-DEXECUTORCH_ENABLE_LOGGING=ON", "-DEXECUTORCH_BUILD_XNNPACK=ON",
            "-DEXECUTORCH_XNNPACK_ENABLE_KLEIDI=ON", "-DEXECUTORCH_BUILD_KERNELS_OPTIMIZED=ON", "-DEXECUTORCH_BUILD_KERNELS_QUANTIZED=ON");
    @TempDir Path tmp;
    RecordingFakes fakes;
    Path ws;
    Map<String, String> env;

    @BeforeEach
    void setUp() {
        fakes = armHost(tmp);
        ws = tmp.resolve("ws");
        env = fakes.env();
    }

    /** Fakes of an Arm Linux host with clang 18, cmake 3.31 and ninja, and a workspace tmp/ws with a v1.3.1 checkout and a venv. */
    static RecordingFakes armHost(Path tmp) {
        RecordingFakes f = new RecordingFakes(tmp.resolve("fakes")).git().cmake("3.31.6", "Clang", "18.1.3").ninja("1.11.1")
                .compiler("cc", "Ubuntu clang version 18.1.3 (1ubuntu1)").uname("Linux", "aarch64");
        RecordingFakes.checkout(tmp.resolve("ws"), "v1.3.1", null);
        f.venvPython(tmp.resolve("ws/.venv"), "3.12.4");
        return f;
    }

    TestKit.Run build(String... args) { return build(env, ws, args); }

    /** BuildRunners in-process on workspace ws with --jobs 4 and these arguments. */
    static TestKit.Run build(Map<String, String> env, Path ws, String... args) {
        List<String> all = new ArrayList<>(List.of("--workspace", ws.toString(), "--jobs", "4"));
        all.addAll(List.of(args));
        return TestKit.inProcess((out, err) -> BuildRunners.run(env, out, err, all.toArray(String[]::new)));
    }

    String configure(String variant, String... extra) {
        List<String> parts = new ArrayList<>(List.of("[.] cmake -S executorch -B executorch/cmake-out/" + variant + " -G Ninja"));
        for (String f : COMMON_ON) parts.add(f.formatted(ws.resolve(".venv/bin/python")));
        String sme = variant.contains("-sme2-on") ? "ON" : "OFF";
        parts.add("-DXNNPACK_ENABLE_ARM_SME2=" + sme);
        parts.add("-DXNNPACK_ENABLE_ARM_SME=" + sme);
        parts.addAll(List.of(extra));
        return String.join(" ", parts);
    }

    static String build(String variant) { return "[.] cmake --build executorch/cmake-out/" + variant + " --target executor_runner -j 4"; }

    @Test
    void theFourHostRunnersAreConfiguredAndBuiltWithTheseExactCommands() {
        TestKit.Run r = build();
        assertEquals(0, r.code(), r.toString());
        String log = "-DCMAKE_C_FLAGS=-DXNN_LOG_LEVEL=5", logxx = "-DCMAKE_CXX_FLAGS=-DXNN_LOG_LEVEL=5";
        assertEquals(List.of(
                "[.] uname -m", "[.] cmake --version", "[.] ninja --version", "[.] cc --version", "[.] python -c <code>",
                "[executorch] git rev-parse HEAD", "[executorch] git status --porcelain --untracked-files=no",
                configure("host-sme2-on"), build("host-sme2-on"),
                configure("host-sme2-off"), build("host-sme2-off"),
                configure("host-sme2-on-xnnlog", log, logxx), build("host-sme2-on-xnnlog"),
                configure("host-sme2-off-xnnlog", log, logxx), build("host-sme2-off-xnnlog")), fakes.lines(ws));
        for (String v : BuildRunners.HOST_VARIANTS) assertTrue(Files.isExecutable(ws.resolve("executorch/cmake-out/" + v + "/executor_runner")), v);
    }

    @Test
    void eachOnOffPairDiffersOnlyInTheTwoSmeFlags() {
        env.put("ANDROID_NDK", fakes.ndk("27.2.12479018").toString());
        TestKit.Run r = build();
        assertEquals(0, r.code(), r.toString());
        Map<String, Map<String, String>> flags = new LinkedHashMap<>();
        Map<String, List<String>> rest = new LinkedHashMap<>();
        for (RecordingFakes.Call c : fakes.calls()) {
            if (!c.tool().equals("cmake") || !c.args().contains("-S")) continue;
            String variant = c.args().get(c.args().indexOf("-B") + 1).replace("executorch/cmake-out/", "");
            Map<String, String> d = new LinkedHashMap<>();
            List<String> other = new ArrayList<>();
            for (String a : c.args()) {
                if (a.startsWith("-D")) d.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
                else other.add(a.equals("executorch/cmake-out/" + variant) ? "<build dir>" : a);
            }
            flags.put(variant, d);
            rest.put(variant, other);
        }
        assertEquals(8, flags.size(), flags.keySet().toString());
        for (String on : List.of("host-sme2-on", "host-sme2-on-xnnlog", "android-arm64-sme2-on", "android-arm64-sme2-on-xnnlog")) {
            String off = on.replace("-sme2-on", "-sme2-off");
            Map<String, String> a = flags.get(on), b = flags.get(off);
            Set<String> differ = new TreeSet<>();
            for (String k : union(a.keySet(), b.keySet())) if (!java.util.Objects.equals(a.get(k), b.get(k))) differ.add(k);
            assertEquals(Set.of("-DXNNPACK_ENABLE_ARM_SME", "-DXNNPACK_ENABLE_ARM_SME2"), differ, on + " vs " + off);
            assertEquals(List.of("ON", "ON", "OFF", "OFF"), List.of(a.get("-DXNNPACK_ENABLE_ARM_SME2"), a.get("-DXNNPACK_ENABLE_ARM_SME"),
                    b.get("-DXNNPACK_ENABLE_ARM_SME2"), b.get("-DXNNPACK_ENABLE_ARM_SME")), on);
            assertEquals(rest.get(on), rest.get(off), on + " vs " + off + ": the arguments other than -D");
        }
        // the kernel-logging pair adds only the compile-time XNNPACK log level to its plain pair
        Map<String, String> plain = new LinkedHashMap<>(flags.get("android-arm64-sme2-on")), logging = new LinkedHashMap<>(flags.get("android-arm64-sme2-on-xnnlog"));
        assertEquals("-DXNN_LOG_LEVEL=5", logging.remove("-DCMAKE_C_FLAGS"));
        assertEquals("-DXNN_LOG_LEVEL=5", logging.remove("-DCMAKE_CXX_FLAGS"));
        assertEquals(plain, logging);
        // the Android runners: the NDK toolchain, arm64-v8a, API 28, c++_shared, and the event tracer on
        Map<String, String> android = flags.get("android-arm64-sme2-off");
        assertEquals(env.get("ANDROID_NDK") + "/build/cmake/android.toolchain.cmake", android.get("-DCMAKE_TOOLCHAIN_FILE"));
        assertEquals(List.of("arm64-v8a", "android-28", "c++_shared", "ON", "ON"), List.of(android.get("-DANDROID_ABI"), android.get("-DANDROID_PLATFORM"),
                android.get("-DANDROID_STL"), android.get("-DEXECUTORCH_ENABLE_EVENT_TRACER"), android.get("-DEXECUTORCH_BUILD_DEVTOOLS")));
        assertFalse(flags.get("host-sme2-on").containsKey("-DCMAKE_TOOLCHAIN_FILE"));
    }

    @Test
    void buildJsonRecordsFlagsCompilerCheckoutAndTheSme2Evidence() {
        assertEquals(0, build("--variants", "host-sme2-on,host-sme2-off").code());
        JsonNode on = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on/build.json"));
        assertEquals("host-sme2-on", on.get("variant").asText());
        assertEquals("ON", on.at("/cmake_flags/-DXNNPACK_ENABLE_ARM_SME2").asText());
        assertEquals("ON", on.at("/cmake_flags/-DEXECUTORCH_XNNPACK_ENABLE_KLEIDI").asText());
        assertEquals(ws.resolve(".venv/bin/python").toString(), on.at("/cmake_flags/-DPYTHON_EXECUTABLE").asText());
        assertEquals(14, on.get("cmake_flags").size());
        assertEquals("Clang", on.at("/compiler/id").asText());
        assertEquals("18.1.3", on.at("/compiler/version").asText());
        assertEquals(RecordingFakes.ET_SHA, on.at("/executorch/sha").asText());
        assertEquals(RecordingFakes.ET_SHA, on.get("executorch_sha").asText(), "the key the pipelines and ValidateSetup read");
        assertFalse(on.at("/executorch/dirty").asBoolean());
        assertEquals(2, on.get("sme2_symbol_count").asInt());
        assertEquals("byte-scan", on.get("sme2_symbol_method").asText());
        assertEquals(RecordingFakes.SME2_KERNEL, on.at("/sme2_symbols_sample/0").asText());
        assertEquals("as expected", on.get("sme2_evidence").asText());
        assertTrue(on.at("/duration_s/total").isNumber());
        assertTrue(on.at("/host/os").isTextual());
        JsonNode off = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-off/build.json"));
        assertEquals("OFF", off.at("/cmake_flags/-DXNNPACK_ENABLE_ARM_SME").asText());
        assertEquals(0, off.get("sme2_symbol_count").asInt());
        assertEquals("0", off.get("sme2_expected").asText());
    }

    @Test
    void clang17OnAnArmHostStopsBeforeBuildingWithTheFix() {
        fakes.compiler("cc", "clang version 17.0.6");
        TestKit.Run r = build();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: clang 17.0.6 (" + fakes.bin.resolve("cc") + ") is older than clang 18: XNNPACK silently leaves the SME2 kernels out"
                + " (its CMakeLists turns XNNPACK_ENABLE_ARM_SME2 off for Clang < 18)"), r.err());
        assertTrue(r.err().contains("fix: install clang 18+ (Ubuntu: sudo apt install clang-18) and export CC=clang-18 CXX=clang++-18; then build again with --clean"), r.err());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.startsWith("cmake -S") || l.startsWith("cmake --build")), fakes.lines().toString());
    }

    @Test
    void theWorkspaceVersionsJsonSetsTheMinimums() throws Exception {
        Files.createDirectories(ws.resolve("configs"));
        Files.writeString(ws.resolve("configs/versions.json"), "{\"clang\": {\"min\": 19}, \"cmake\": {\"min\": \"3.32\"}}");
        TestKit.Run r = build();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("[fail] cmake 3.31.6 (" + fakes.bin.resolve("cmake") + ") is older than 3.32, which ExecuTorch needs\n"
                + "       fix: install cmake 3.32+"), r.err());
        assertTrue(r.err().contains("[fail] clang 18.1.3 (" + fakes.bin.resolve("cc") + ") is older than clang 19"), "every failed check is shown, not only the first: " + r.err());
        assertTrue(r.err().contains("error: 2 checks failed (each above, with its fix), so nothing was configured\n"), r.err());
        Files.writeString(ws.resolve("configs/versions.json"), "{\"clang\": {\"min\": 19}}");
        r = build();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: clang 18.1.3 (" + fakes.bin.resolve("cc") + ") is older than clang 19: XNNPACK silently leaves the SME2 kernels out"
                + " (its CMakeLists turns XNNPACK_ENABLE_ARM_SME2 off for Clang < 19)"), r.err());
        assertTrue(r.err().contains("fix: install clang 19+ (Ubuntu: sudo apt install clang-19) and export CC=clang-19 CXX=clang++-19; then build again with --clean"), r.err());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.startsWith("cmake -S") || l.startsWith("cmake --build")), fakes.lines().toString());
    }

    @Test
    void aCompilerCMakePicksBelowClang18IsCaughtAfterConfiguring() {
        fakes.cmake("3.31.6", "Clang", "17.0.6");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: host-sme2-on: CMake chose clang 17.0.6 (/usr/bin/cc), older than clang 18: XNNPACK silently leaves the SME2 kernels out"), r.err());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.startsWith("cmake --build")), fakes.lines().toString());
    }

    @Test
    void anX86HostWarnsThatNoArmKernelIsBuiltThereAndStillBuilds() {
        fakes.uname("Linux", "x86_64").compiler("cc", "cc (Ubuntu 13.2.0-23ubuntu4) 13.2.0");
        assertEquals("gcc 13.2.0", BuildRunners.parseCompiler("cc (Ubuntu 13.2.0-23ubuntu4) 13.2.0", "cc").describe());
        TestKit.Run r = build("--variants", "host-sme2-on,host-sme2-off");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("[warn] this host is not Arm (x86-64): XNNPACK builds no Arm kernels here, so host-sme2-on and host-sme2-off differ in their flags only"), r.err());
        assertTrue(r.err().contains("[ok]   gcc 13.2.0 (" + fakes.bin.resolve("cc") + ")"), r.err());
    }

    @Test
    void ndkR26FailsClearlyAndR27BuildsTheAndroidPair() throws Exception {
        env.put("ANDROID_NDK", fakes.ndk("26.3.11579264").toString());
        TestKit.Run old = build("--variants", "android-arm64-sme2-on,android-arm64-sme2-off");
        assertEquals(1, old.code(), old.toString());
        assertTrue(old.err().contains("error: Android NDK r26 (26.3.11579264) at " + env.get("ANDROID_NDK")
                + " ships clang 17: XNNPACK silently leaves the SME2 kernels out; NDK r27+ (clang 18) is needed"), old.err());
        assertTrue(old.err().contains("fix: install NDK r27 or newer"), old.err());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.startsWith("cmake -S")));

        env.put("ANDROID_NDK", fakes.ndk("27.2.12479018").toString());
        TestKit.Run ok = build("--variants", "android-arm64-sme2-on,android-arm64-sme2-off");
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.err().contains("[ok]   Android NDK r27 (27.2.12479018) at " + env.get("ANDROID_NDK")), ok.err());
        Path dir = ws.resolve("executorch/cmake-out/android-arm64-sme2-on");
        assertEquals("fake libc++\n", Files.readString(dir.resolve("libc++_shared.so")));
        JsonNode b = Kit.readJson(dir.resolve("build.json"));
        assertEquals("android-arm64", b.get("target").asText());
        assertEquals(2, b.get("sme2_symbol_count").asInt());
        assertEquals(dir.resolve("libc++_shared.so").toString(), b.get("libcxx_shared").asText());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.equals("cc --version")), "no host compiler check for Android-only builds");
    }

    @Test
    void theNdkIsAlsoFoundThroughAndroidNdkHomeAndAndroidNdkRootInThatOrder() {
        Path r27 = fakes.ndk("27.2.12479018"), r28 = fakes.ndk("28.0.13004108");
        env.put("ANDROID_NDK_ROOT", r27.toString());
        TestKit.Run root = build("--variants", "android-arm64-sme2-on");
        assertEquals(0, root.code(), root.toString());
        assertTrue(root.err().contains("[ok]   Android NDK r27 (27.2.12479018) at " + r27), root.err());
        assertEquals(r27 + "/build/cmake/android.toolchain.cmake",
                Kit.readJson(ws.resolve("executorch/cmake-out/android-arm64-sme2-on/build.json")).at("/cmake_flags/-DCMAKE_TOOLCHAIN_FILE").asText());

        env.put("ANDROID_NDK_HOME", r28.toString());
        TestKit.Run home = build("--variants", "android-arm64-sme2-on");
        assertEquals(0, home.code(), home.toString());
        assertTrue(home.err().contains("[ok]   Android NDK r28 (28.0.13004108) at " + r28), "ANDROID_NDK_HOME comes before ANDROID_NDK_ROOT: " + home.err());

        env.put("ANDROID_NDK", r27.toString());
        TestKit.Run ndk = build("--variants", "android-arm64-sme2-on");
        assertTrue(ndk.err().contains("[ok]   Android NDK r27 (27.2.12479018) at " + r27), "ANDROID_NDK comes first: " + ndk.err());
    }

    @Test
    void aNonNumericNdkRevisionIsAOneLineErrorNotAStackTrace() throws Exception {
        Path ndk = fakes.ndk("27.2.12479018");
        Files.writeString(ndk.resolve("source.properties"), "Pkg.Desc = Android NDK\nPkg.Revision = r27c\n");
        env.put("ANDROID_NDK_HOME", ndk.toString());
        TestKit.Run r = build("--variants", "android-arm64-sme2-on");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: " + ndk.resolve("source.properties") + ": Pkg.Revision \"r27c\" is not a version number (expected e.g. 27.2.12479018)\n"
                + "fix: point ANDROID_NDK_HOME at an NDK's root folder; install NDK r27 or newer"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.startsWith("cmake -S")), fakes.lines().toString());
    }

    @Test
    void aConfigureFailureNamesTheErrorTheCommandTheLogAndAFix() throws Exception {
        fakes.fail("configure");
        TestKit.Run r = build("--variants", "host-sme2-on,host-sme2-off");
        assertEquals(1, r.code(), r.toString());
        Path log = onlyLog("host-sme2-on", "configure");
        assertTrue(r.err().contains("error: host-sme2-on: configure failed (exit 1): CMake Error at CMakeLists.txt:48 (project): No CMAKE_CXX_COMPILER could be found.\n"
                + "  command: (cd " + ws + ") " + configure("host-sme2-on").replace("[.] ", "") + "\n"
                + "  log: " + log + " (earlier attempts' logs are kept beside it)\n"
                + "fix: install a C/C++ compiler (macOS: xcode-select --install; Linux: sudo apt install clang-18) and build again with --clean"), r.err());
        assertTrue(Files.readString(log).contains("No CMAKE_CXX_COMPILER could be found."));
        assertEquals(List.of(configure("host-sme2-on")), fakes.lines(ws).stream().filter(l -> l.contains("cmake -S") || l.contains("cmake --build")).toList(),
                "it stops at the first failure: no build, no second variant");
        assertFalse(Files.exists(ws.resolve("executorch/cmake-out/host-sme2-on/build.json")));
    }

    @Test
    void anSme2OnBuildWithoutKernelsIsReported() {
        fakes.fail("sme2-kernels");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("[warn] host-sme2-on: no SME2 kernels in " + ws.resolve("executorch/cmake-out/host-sme2-on/executor_runner")
                + " (byte-scan): the compiler left them out (clang < 18?)"), r.err());
        assertEquals("NOT as expected", Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on/build.json")).get("sme2_evidence").asText());
    }

    @Test
    void countsSme2KernelsInSmallFakeBinariesByBytesAndWithNm() throws Exception {
        Path with = tmp.resolve("with"), without = tmp.resolve("without");
        Files.write(with, ("\u007fELF\0junk\0" + "xnn_f32_gemm_minmax_ukernel_1x32__neonsme2\0_xnn_f32_gemm_minmax_ukernel_1x32__neonsme2\0"
                + "xnn_qd8_f32_qc8w_igemm_minmax_ukernel_16x64c4__neonsme2\0xnn_f32_gemm_ukernel_6x8__neon\0cpuinfo_has_arm_sme2\0").getBytes(StandardCharsets.ISO_8859_1));
        Files.write(without, "\u007fELF\0xnn_f32_gemm_ukernel_6x8__neon\0cpuinfo_has_arm_sme2\0xnn_arch_arm_sme2\0".getBytes(StandardCharsets.ISO_8859_1));
        BuildRunners.Sme2Evidence a = BuildRunners.sme2Symbols(with, null), b = BuildRunners.sme2Symbols(without, null);
        assertEquals(new BuildRunners.Sme2Evidence(2, "byte-scan", List.of("xnn_f32_gemm_minmax_ukernel_1x32__neonsme2",
                "xnn_qd8_f32_qc8w_igemm_minmax_ukernel_16x64c4__neonsme2")), a);
        assertEquals(new BuildRunners.Sme2Evidence(0, "byte-scan", List.of()), b);

        Path nm = fakes.tool("nm", "printf '%s\\n' '0000000000401000 T xnn_pf32_gemm_minmax_ukernel_32x32c2__neonsme2' '0000000000402000 t xnn_x32_pack_lh_ukernel__neonsme2' "
                + "'0000000000403000 T main' '                 U memcpy'");
        assertEquals(new BuildRunners.Sme2Evidence(2, "nm", List.of("xnn_pf32_gemm_minmax_ukernel_32x32c2__neonsme2", "xnn_x32_pack_lh_ukernel__neonsme2")),
                BuildRunners.sme2Symbols(without, nm));
        Path failingNm = fakes.tool("llvm-nm", "echo \"llvm-nm: error: $1: The file was not recognized as a valid object file\" >&2; exit 1");
        assertEquals(2, BuildRunners.sme2Symbols(with, failingNm).count());
        assertEquals("byte-scan", BuildRunners.sme2Symbols(with, failingNm).method());
    }

    @Test
    void ccacheIsUsedWhenPresentForBothRunnersOfAPair() {
        fakes.tool("ccache", "echo 'ccache version 4.9.1'");
        assertEquals(0, build("--variants", "host-sme2-on,host-sme2-off").code());
        List<String> configures = fakes.lines().stream().filter(l -> l.startsWith("cmake -S")).toList();
        assertEquals(2, configures.size());
        for (String c : configures)
            assertTrue(c.endsWith("-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"), c);
    }

    @Test
    void dryRunPrintsTheCommandsAndBuildsNothing() throws Exception {
        Files.createDirectories(ws.resolve("executorch/cmake-out/host-sme2-on"));
        TestKit.Run r = build("--dry-run", "--clean", "--variants", "host-sme2-on");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of(
                "rm -rf " + ws.resolve("executorch/cmake-out/host-sme2-on"),
                configure("host-sme2-on").replace("[.] ", "(cd " + ws + ") "),
                build("host-sme2-on").replace("[.] ", "(cd " + ws + ") ")), r.out().lines().toList());
        assertTrue(Files.isDirectory(ws.resolve("executorch/cmake-out/host-sme2-on")));
        assertFalse(Files.exists(ws.resolve("executorch/cmake-out/host-sme2-on/executor_runner")));
        assertTrue(fakes.lines().stream().noneMatch(l -> l.startsWith("cmake -S") || l.startsWith("cmake --build")));
    }

    @Test
    void nothingInsideTheCheckoutChangesOutsideCmakeOut() throws Exception {
        List<String> before = tree(ws.resolve("executorch"));
        assertEquals(0, build("--variants", "host-sme2-on").code());
        assertEquals(before, tree(ws.resolve("executorch")));
        assertFalse(Files.exists(ws.resolve("executorch/CMakePresets.json")));
    }

    @Test
    void aBuildFailureNamesTheErrorTheCommandTheLogAndAFix() {
        fakes.fail("build");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: host-sme2-on: build failed (exit 1): error: unknown target CPU 'armv9-a'"), r.err());
        assertTrue(r.err().contains("  command: (cd " + ws + ") cmake --build executorch/cmake-out/host-sme2-on --target executor_runner -j 4"), r.err());
        assertTrue(r.err().contains("  log: " + onlyLog("host-sme2-on", "build")), r.err());
        assertTrue(r.err().contains("fix: read the log for the first error; then build again (add --clean to start the variant from scratch)"), r.err());
    }

    @Test
    void unknownVariantsAndMissingNdkAreRefused() {
        TestKit.Run typo = build("--variants", "host-sme2-onn");
        assertEquals(2, typo.code(), typo.toString());
        assertTrue(typo.err().contains("error: --variants host-sme2-onn: unknown variant; did you mean host-sme2-on?"), typo.err());
        TestKit.Run noNdk = build("--variants", "android-arm64-sme2-on");
        assertEquals(1, noNdk.code(), noNdk.toString());
        assertTrue(noNdk.err().contains("error: android-arm64-sme2-on needs the Android NDK, but ANDROID_NDK is not set"), noNdk.err());
    }

    @Test
    void parsesCompilerVersionsAsTheyPrintThem() {
        assertEquals("Apple clang 16.0.0", BuildRunners.parseCompiler("Apple clang version 16.0.0 (clang-1600.0.26.6)\nTarget: arm64-apple-darwin24.1.0", "cc").describe());
        assertEquals("clang 19.1.7", BuildRunners.parseCompiler("Homebrew clang version 19.1.7\nTarget: arm64-apple-darwin24", "clang").describe());
        assertEquals("gcc 12.2.0", BuildRunners.parseCompiler("gcc (GCC) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.", "gcc").describe());
        assertNull(BuildRunners.parseCompiler("something else 1.0", "x"));
        assertNull(BuildRunners.sme2CompilerProblem(BuildRunners.parseCompiler("Apple clang version 15.0.0 (clang-1500.3.9.4)", "cc"), 18),
                "XNNPACK's guard tests Clang, not AppleClang");
        assertNotNull(BuildRunners.sme2CompilerProblem(BuildRunners.parseCompiler("gcc (GCC) 9.4.0", "gcc"), 18));
    }

    @Test
    void runsAsARealProcessThroughJbang() throws Exception {
        Map<String, String> e = new HashMap<>();
        // only the fakes, the fakes' system tools and java: a real ccache or compiler on this machine must not change the plan
        e.put("PATH", fakes.bin + ":" + fakes.sys + ":" + Path.of(System.getProperty("java.home"), "bin"));
        TestKit.Run r = TestKit.jbang(TestKit.repo(), e, "scripts/BuildRunners.java", "--workspace", ws.toString(), "--variants",
                "host-sme2-on,host-sme2-off", "--jobs", "4", "--dry-run", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode plan = Kit.JSON.readTree(r.out());
        assertEquals(4, plan.get("commands").size());
        assertEquals(configure("host-sme2-off").replace("[.] ", ""),
                String.join(" ", java.util.stream.StreamSupport.stream(plan.at("/commands/2").spliterator(), false).map(JsonNode::asText).toList()));
        assertEquals("planned", plan.at("/variants/1/status").asText());
    }

    /** The one log of this step in logs/ (named build-VARIANT-TIME-STEP.log). */
    Path onlyLog(String variant, String step) {
        try (Stream<Path> s = Files.list(ws.resolve("logs"))) {
            List<Path> logs = s.filter(p -> p.getFileName().toString().matches("build-" + variant + "-\\d{8}T\\d{6}Z(\\.\\d+)?-" + step + "\\.log")).toList();
            assertEquals(1, logs.size(), logs.toString());
            return logs.get(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> tree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).filter(p -> !p.startsWith("cmake-out")).sorted().toList();
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }
}
