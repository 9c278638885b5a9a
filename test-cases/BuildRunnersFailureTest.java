import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * BuildRunners against what really breaks an ExecuTorch v1.3.1 build (issue 16): the preflight (submodules, torch), real
 * failure texts (test-cases/fixtures/build-errors, see its PROVENANCE.md) through a fake cmake that prints them, kept logs,
 * SME2 evidence of stripped and unstripped binaries, x86-64 wording, extra cmake arguments and the kernel-log level check.
 */
class BuildRunnersFailureTest {
    @TempDir Path tmp;
    RecordingFakes fakes;
    Path ws, et;
    Map<String, String> env;

    @BeforeEach
    void setUp() {
        fakes = BuildRunnersTest.armHost(tmp);
        ws = tmp.resolve("ws");
        et = ws.resolve("executorch");
        env = fakes.env();
    }

    TestKit.Run build(String... args) { return BuildRunnersTest.build(env, ws, args); }

    static String fixture(String name) throws Exception { return Files.readString(TestKit.shipped("build-errors/" + name)); }

    /** A cmake that answers --version and prints this real log (then fails) when it configures, or when it builds. */
    void cmakePrints(String step, String fixture) throws Exception {
        Files.writeString(fakes.dir.resolve("real-output.log"), fixture(fixture));
        fakes.tool("cmake", String.join("\n",
                "if [ \"$1\" = --version ]; then echo 'cmake version 3.31.6'; exit 0; fi",
                "if [ \"$1\" = --build ] && [ " + (step.equals("build") ? "1" : "0") + " = 1 ]; then cat \"$FAKES/real-output.log\"; exit 1; fi",
                "if [ \"$1\" = --build ]; then exit 0; fi",
                step.equals("configure") ? "cat \"$FAKES/real-output.log\"; exit 1" : "echo '-- Configuring done'; exit 0"));
    }

    String cmakeCalls() { return String.join("\n", fakes.lines().stream().filter(l -> l.startsWith("cmake -S") || l.startsWith("cmake --build")).toList()); }

    // ---------------------------------------------------------------- preflight

    @Test
    void anEmptySubmoduleIsCaughtBeforeConfigureWithTheExactCommand() throws Exception {
        Kit.deleteTree(et.resolve("kernels/optimized/third-party/eigen"));
        Files.delete(et.resolve("third-party/pocketfft/pocketfft_hdronly.h"));
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: ExecuTorch submodules kernels/optimized/third-party/eigen, third-party/pocketfft are empty (no "
                + "kernels/optimized/third-party/eigen/blas/single.cpp, third-party/pocketfft/pocketfft_hdronly.h): configuring or building would fail\n"
                + "fix: git -C " + et + " submodule update --init --recursive -- kernels/optimized/third-party/eigen third-party/pocketfft"), r.err());
        assertEquals("", cmakeCalls(), "nothing is configured");
    }

    @Test
    void theWorkspaceTorchMustBeThePinnedOneBeforeAnythingIsConfigured() throws Exception {
        Files.writeString(ws.resolve(".venv/torch-version"), "2.11.0");
        TestKit.Run old = build("--variants", "host-sme2-on");
        assertEquals(1, old.code(), old.toString());
        assertTrue(old.err().contains("error: torch 2.11.0 at " + ws.resolve(".venv/lib/python3.12.4/site-packages/torch") + " is not the pinned 2.12.0"), old.err());
        assertTrue(old.err().contains("fix: install the pinned torch into the workspace Python: " + ws.resolve(".venv/bin/python") + " -m pip install torch==2.12.0"), old.err());
        assertEquals("", cmakeCalls());

        Files.writeString(ws.resolve(".venv/torch-version"), "none");
        TestKit.Run none = build("--variants", "host-sme2-on");
        assertEquals(1, none.code(), none.toString());
        assertTrue(none.err().contains("error: the workspace Python (" + ws.resolve(".venv/bin/python") + ") has no torch"), none.err());

        Files.writeString(ws.resolve(".venv/torch-version"), "2.12.0+cpu");
        TestKit.Run ok = build("--variants", "host-sme2-on");
        assertEquals(0, ok.code(), ok.toString());
        assertEquals("2.12.0+cpu", Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on/build.json")).at("/torch/version").asText());
    }

    @Test
    void everyPreflightProblemIsListedWithItsFixBeforeAnythingIsConfigured() throws Exception {
        Kit.deleteTree(et.resolve("third-party/pocketfft"));
        Files.writeString(ws.resolve(".venv/torch-version"), "2.11.0");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("[fail] ExecuTorch submodule third-party/pocketfft is empty (no third-party/pocketfft/pocketfft_hdronly.h)"), r.err());
        assertTrue(r.err().contains("       fix: git -C " + et + " submodule update --init --recursive -- third-party/pocketfft\n"), r.err());
        assertTrue(r.err().contains("[fail] torch 2.11.0 at "), r.err());
        assertTrue(r.err().contains("error: 2 checks failed (each above, with its fix), so nothing was configured"), r.err());
        assertEquals("", cmakeCalls());
    }

    // ---------------------------------------------------------------- real failure texts

    @Test
    void theRealEigenFailureShowsItsFirstErrorAndTheSubmoduleFixNotTheNdk() throws Exception {
        cmakePrints("configure", "configure-eigen-empty.log");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: host-sme2-on: configure failed (exit 1): CMake Error at kernels/optimized/External/EigenBLAS.cmake:48 (add_library): "
                + "Cannot find source file: /tmp/et16cfg/executorch/kernels/optimized/third-party/eigen/blas/single.cpp\n"), r.err());
        assertTrue(r.err().contains("fix: fill the empty submodule: git -C " + et + " submodule update --init --recursive -- kernels/optimized/third-party/eigen,"
                + " then build again with --clean"), r.err());
        assertFalse(r.err().contains("ANDROID_NDK"), "ExecuTorch's summary line 'CMAKE_TOOLCHAIN_FILE x (unset)' is no NDK problem: " + r.err());
    }

    @Test
    void theRealFailureWithNoSubmodulesNamesTheFirstMissingOneAndAllItBlames() throws Exception {
        cmakePrints("configure", "configure-submodules-empty.log");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertTrue(r.err().contains("configure failed (exit 1): CMake Error at third-party/CMakeLists.txt:8 (add_subdirectory): The source directory "
                + "/tmp/et16cfg/src/third-party/json does not contain a CMakeLists.txt file.\n"), r.err());
        assertTrue(r.err().contains("fix: fill the empty submodules: git -C " + et + " submodule update --init --recursive -- third-party/flatbuffers third-party/gflags third-party/json,"), r.err());
    }

    @Test
    void theRealNoTorchFailurePointsAtTheWorkspaceTorch() throws Exception {
        cmakePrints("configure", "configure-no-torch.log");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertTrue(r.err().contains("configure failed (exit 1): CMake Error at tools/cmake/Utils.cmake:118 (message): Error: Traceback (most recent call last):"), r.err());
        assertTrue(r.err().contains("fix: ExecuTorch's CMake found no torch in the workspace Python: install the pinned torch into the workspace Python: "
                + ws.resolve(".venv/bin/python") + " -m pip install torch==2.12.0"), r.err());
    }

    @Test
    void aTorchHeaderMismatchShowsTheFirstCompilerErrorNotTheLast() throws Exception {
        cmakePrints("build", "build-torch-headers.log");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: host-sme2-on: build failed (exit 1): /ws/executorch/runtime/core/exec_aten/util/scalar_type_util.h:932:5: error: "
                + "‘C10_DIAGNOSTIC_POP’ was not declared in this scope\n"), r.err());
        assertTrue(r.err().contains("fix: the torch headers do not match this ExecuTorch (the optimized kernels compile against the workspace Python's torch): "
                + "install the pinned torch"), r.err());
        assertEquals("/ws/executorch/runtime/core/exec_aten/util/scalar_type_util.h:932:5: error: ‘C10_DIAGNOSTIC_POP’ was not declared in this scope",
                BuildRunners.firstError(fixture("build-torch-headers.log")));
    }

    @Test
    void theNdkFixIsGivenForAndroidVariantsOnly() throws Exception {
        cmakePrints("configure", "configure-ndk-missing.log");
        env.put("ANDROID_NDK", fakes.ndk("27.2.12479018").toString());
        TestKit.Run android = build("--variants", "android-arm64-sme2-on");
        assertEquals(1, android.code(), android.toString());
        assertTrue(android.err().contains("configure failed (exit 1): CMake Error at /usr/share/cmake-3.25/Modules/CMakeDetermineSystem.cmake:130 (message): "
                + "Could not find toolchain file: /opt/android-ndk-r27c/build/cmake/android.toolchain.cmake\n"), android.err());
        assertTrue(android.err().contains("fix: check ANDROID_NDK (it must point at the NDK's root folder, r27+), then build again with --clean"), android.err());
        TestKit.Run host = build("--variants", "host-sme2-on");
        assertFalse(host.err().contains("fix: check ANDROID_NDK"), host.err());
    }

    @Test
    void everyAttemptKeepsItsOwnLogs() throws Exception {
        cmakePrints("configure", "configure-eigen-empty.log");
        build("--variants", "host-sme2-on");
        build("--variants", "host-sme2-on");
        fakes.cmake("3.31.6", "Clang", "18.1.3");
        assertEquals(0, build("--variants", "host-sme2-on").code());
        List<Path> logs;
        try (Stream<Path> s = Files.list(ws.resolve("logs"))) {
            logs = s.sorted().toList();
        }
        List<Path> configures = logs.stream().filter(p -> p.getFileName().toString().endsWith("-configure.log")).toList();
        assertEquals(3, configures.size(), logs.toString());
        for (int i = 0; i < 2; i++) assertTrue(Files.readString(configures.get(i)).contains("EigenBLAS.cmake:48"), configures.get(i).toString());
        JsonNode b = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on/build.json"));
        assertEquals(configures.get(2).toString(), b.at("/logs/configure").asText());
        assertTrue(Files.isRegularFile(Path.of(b.at("/logs/build").asText())));
    }

    // ---------------------------------------------------------------- SME2 evidence

    @Test
    void aStrippedRunnerGivesUnknownNotZero() throws Exception {
        fakes.fail("sme2-kernels");  // no kernel names left in the bytes either, as in a stripped plain runner
        fakes.tool("nm", "echo \"nm: $1: no symbols\" >&2; exit 0");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(0, r.code(), r.toString());
        JsonNode b = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on/build.json"));
        assertTrue(b.get("sme2_symbol_count").isNull(), b.toString());
        assertEquals("unknown: binary stripped", b.get("sme2_evidence").asText());
        assertEquals("nm: no symbols (stripped)", b.get("sme2_symbol_method").asText());
        assertTrue(r.err().contains("is stripped (nm: no symbols (stripped)), so its SME2 kernels cannot be counted: build.json says \"unknown: binary stripped\", not 0."), r.err());
        assertFalse(r.err().contains("no SME2 kernels in"), "no claim that the kernels are missing: " + r.err());
    }

    @Test
    void anUnstrippedRunnerWithSme2SymbolsGivesTheCount() {
        fakes.tool("nm", "printf '%s\\n' '0000000000401000 T xnn_pf32_gemm_minmax_ukernel_32x32__neonsme2' '0000000000402000 t xnn_x32_pack_lh_ukernel__neonsme2' '0000000000403000 T main'");
        TestKit.Run r = build("--variants", "host-sme2-on");
        assertEquals(0, r.code(), r.toString());
        JsonNode b = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on/build.json"));
        assertEquals(2, b.get("sme2_symbol_count").asInt());
        assertEquals("nm", b.get("sme2_symbol_method").asText());
        assertEquals("as expected", b.get("sme2_evidence").asText());
        assertEquals("arm64", b.get("target_arch").asText());
    }

    @Test
    void realStrippedAndUnstrippedBinariesWithTheRealNm() throws Exception {
        Path gcc = Kit.which(System.getenv(), "cc"), nm = Kit.which(System.getenv(), "nm");
        assumeTrue(gcc != null && nm != null && !Kit.isMac(), "needs cc and nm on PATH, and ELF binaries (gcc -s strips them)");
        Path src = tmp.resolve("k.c");
        Files.writeString(src, "void xnn_f32_gemm_minmax_ukernel_1x32__neonsme2(void) {}\nvoid xnn_x32_pack_lh_ukernel__neonsme2(void) {}\nint main(void) {"
                + " xnn_f32_gemm_minmax_ukernel_1x32__neonsme2(); xnn_x32_pack_lh_ukernel__neonsme2(); return 0; }\n");
        Path plain = tmp.resolve("plain"), stripped = tmp.resolve("stripped");
        assertEquals(0, TestKit.process(tmp, Map.of(), List.of(), java.time.Duration.ofMinutes(1), gcc.toString(), "-O1", "-o", plain.toString(), src.toString()).code());
        assertEquals(0, TestKit.process(tmp, Map.of(), List.of(), java.time.Duration.ofMinutes(1), gcc.toString(), "-O1", "-s", "-o", stripped.toString(), src.toString()).code());
        BuildRunners.Sme2Evidence a = BuildRunners.sme2Symbols(plain, nm), b = BuildRunners.sme2Symbols(stripped, nm);
        assertEquals(new BuildRunners.Sme2Evidence(2, "nm", List.of("xnn_f32_gemm_minmax_ukernel_1x32__neonsme2", "xnn_x32_pack_lh_ukernel__neonsme2")), a);
        assertNull(b.count(), b.toString());
        assertTrue(b.stripped());
        assertEquals("unknown: binary stripped", BuildRunners.sme2Verdict(true, true, b));
    }

    @Test
    void onX86TheEvidenceSaysNoArmKernelExistsThere() {
        fakes.uname("Linux", "x86_64").compiler("cc", "cc (Debian 12.2.0-14) 12.2.0");
        TestKit.Run r = build("--variants", "host-sme2-on,host-sme2-off");
        assertEquals(0, r.code(), r.toString());
        JsonNode on = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on/build.json"));
        assertEquals("not applicable: an x86-64 build has no Arm kernels, SME2 or NEON", on.get("sme2_evidence").asText());
        assertEquals("x86_64", on.get("target_arch").asText());
        assertEquals("0", on.get("sme2_expected").asText());
        assertTrue(r.err().contains("host-sme2-on (SME2 kernels: none, x86-64)"), r.err());
    }

    // ---------------------------------------------------------------- extra cmake arguments

    @Test
    void extraCmakeArgumentsReachBothRunnersOfAPairAndBuildJson() {
        TestKit.Run r = build("--variants", "host-sme2-on,host-sme2-off", "--cmake-arg", "-DKLEIDIAI_SOURCE_DIR=/opt/kleidiai");
        assertEquals(0, r.code(), r.toString());
        List<String> configures = fakes.lines().stream().filter(l -> l.startsWith("cmake -S")).toList();
        assertEquals(2, configures.size());
        for (String c : configures) assertTrue(c.endsWith(" -DKLEIDIAI_SOURCE_DIR=/opt/kleidiai"), c);
        JsonNode b = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-off/build.json"));
        assertEquals("[\"-DKLEIDIAI_SOURCE_DIR=/opt/kleidiai\"]", b.get("extra_cmake_args").toString());
        assertEquals("/opt/kleidiai", b.at("/cmake_flags/-DKLEIDIAI_SOURCE_DIR").asText());
    }

    @Test
    void aPairThatWouldDifferInMoreThanTheSmeFlagsIsRefused() {
        TestKit.Run r = build("--variants", "host-sme2-on,host-sme2-off", "--cmake-arg", "host-sme2-on:-DEXECUTORCH_XNNPACK_ENABLE_KLEIDI=OFF");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("error: --cmake-arg: host-sme2-on and host-sme2-off would differ in -DEXECUTORCH_XNNPACK_ENABLE_KLEIDI (OFF vs unset) as well as the SME flags"), r.err());
        assertEquals("", cmakeCalls());
        TestKit.Run sme = build("--cmake-arg", "-DXNNPACK_ENABLE_ARM_SME2=OFF");
        assertEquals(2, sme.code());
        assertTrue(sme.err().contains("the SME flags are what the -sme2-on and -sme2-off variants set"), sme.err());
        TestKit.Run bad = build("--cmake-arg", "KLEIDIAI_SOURCE_DIR=/x");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("error: --cmake-arg KLEIDIAI_SOURCE_DIR=/x: expected -DNAME=VALUE, or VARIANT:-DNAME=VALUE for one variant"), bad.err());
        assertEquals(0, build("--variants", "host-sme2-on", "--cmake-arg", "host-sme2-on:-DCMAKE_VERBOSE_MAKEFILE=ON").code(), "one runner alone has no pair to break");
    }

    // ---------------------------------------------------------------- kernel-log level

    @Test
    void theKernelLogVariantRecordsTheLevelXnnpackReallyGets() throws Exception {
        TestKit.Run r = build("--variants", "host-sme2-on-xnnlog", "--cmake-arg", "-DCMAKE_C_FLAGS=-march=armv9-a");
        assertEquals(0, r.code(), r.toString());
        JsonNode b = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on-xnnlog/build.json"));
        assertEquals("-march=armv9-a -DXNN_LOG_LEVEL=5", b.at("/cmake_flags/-DCMAKE_C_FLAGS").asText(), "the level stays last");
        assertEquals(5, b.at("/xnn_log_level/effective").asInt(), b.toString());
        assertEquals(1, b.at("/xnn_log_level/objects").asInt());

        Map<String, Object> real = BuildRunners.xnnLogLevel(TestKit.shipped("build-errors/xnnlog-build.ninja"));
        assertEquals(List.of(5), real.get("levels"), "XNNPACK's own XNN_LOG_LEVEL=0 comes first in DEFINES, the 5 in FLAGS after it");
        assertEquals(2, real.get("objects"));
        Path plain = tmp.resolve("plain.ninja");
        Files.writeString(plain, fixture("xnnlog-build.ninja").replace("-DXNN_LOG_LEVEL=5", ""));
        assertEquals(List.of(0), BuildRunners.xnnLogLevel(plain).get("levels"));
        assertEquals(Integer.valueOf(0), BuildRunners.lastLogLevel("-DXNN_LOG_LEVEL=5 -DXNN_LOG_LEVEL=0"));
    }

    @Test
    void theBuildTypeComesFromBuildTypeNotACmakeArgSoBuildJsonTellsTheTruth() throws Exception {
        for (String arg : List.of("-DCMAKE_BUILD_TYPE=Debug", "host-sme2-on:-DCMAKE_BUILD_TYPE:STRING=Debug")) {
            TestKit.Run r = build("--variants", "host-sme2-on", "--cmake-arg", arg);
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains("error: --cmake-arg " + arg + ": the build type is set with --build-type"), r.err());
        }
        assertEquals("", cmakeCalls());
    }

    @Test
    void aTypedCFlagsArgumentKeepsTheKernelLogLevelLast() throws Exception {
        // -DCMAKE_C_FLAGS:STRING=... is the same cmake variable as -DCMAKE_C_FLAGS=...; coming last, it would drop the level 5
        TestKit.Run r = build("--variants", "host-sme2-on-xnnlog", "--cmake-arg", "-DCMAKE_C_FLAGS:STRING=-march=armv9-a");
        assertEquals(0, r.code(), r.toString());
        JsonNode b = Kit.readJson(ws.resolve("executorch/cmake-out/host-sme2-on-xnnlog/build.json"));
        assertEquals("-march=armv9-a -DXNN_LOG_LEVEL=5", b.at("/cmake_flags/-DCMAKE_C_FLAGS:STRING").asText(), b.toString());
    }

    @Test
    void aKernelLogBuildWhoseLevelIsNotFiveStopsBeforeBuilding() throws Exception {
        // a cmake whose build.ninja gives XNNPACK's objects level 0: the C flags with the 5 did not reach them
        fakes.tool("cmake", String.join("\n",
                "if [ \"$1\" = --version ]; then echo 'cmake version 3.31.6'; exit 0; fi",
                "if [ \"$1\" = --build ]; then exit 0; fi",
                "b=\"\"; prev=\"\"; for a in \"$@\"; do [ \"$prev\" = -B ] && b=\"$a\"; prev=\"$a\"; done; mkdir -p \"$b\"",
                "printf 'build backends/xnnpack/third-party/XNNPACK/CMakeFiles/xnnpack-logging.dir/src/log.c.o: CC src/log.c\\n  FLAGS = -O2\\n  DEFINES = -DXNN_LOG_LEVEL=0\\n\\n' > \"$b/build.ninja\""));
        Files.writeString(tmp.resolve("swap.ninja"), "build x/XNNPACK/CMakeFiles/a.dir/b.c.o: CC b.c\n  FLAGS = -DXNN_LOG_LEVEL=5\n  DEFINES = -DXNN_LOG_LEVEL=0\n\n");
        assertEquals(List.of(5), BuildRunners.xnnLogLevel(tmp.resolve("swap.ninja")).get("levels"), "DEFINES then FLAGS, whatever order the file lists them in");
        TestKit.Run r = build("--variants", "host-sme2-on-xnnlog");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: host-sme2-on-xnnlog: XNNPACK's files get XNN_LOG_LEVEL [0]"), r.err());
        assertFalse(cmakeCalls().contains("cmake --build"), cmakeCalls());
    }
}
