import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** ValidateSetup against fake machines (ValidateSetupEnv): every status of the important checks, and two real ./jbang runs. */
class ValidateSetupTest {
    static final String SHA = ValidateSetupEnv.SHA;
    @TempDir Path tmp;

    static TestKit.Run run(ValidateSetupEnv e, String... more) {
        return TestKit.inProcess((out, err) -> ValidateSetup.run(out, err, e.args(more)));
    }

    static JsonNode json(TestKit.Run r) throws Exception {
        return Kit.JSON.readTree(r.out());
    }

    /** The first check with this id (fails the test when there is none). */
    static JsonNode check(JsonNode doc, String id) {
        for (JsonNode c : doc.get("checks")) if (c.get("id").asText().equals(id)) return c;
        throw new AssertionError("no check " + id + " in " + doc.get("checks"));
    }

    static List<String> ids(JsonNode doc) {
        List<String> out = new ArrayList<>();
        doc.get("checks").forEach(c -> out.add(c.get("id").asText()));
        return out;
    }

    static void assertCheck(JsonNode doc, String id, String status, String message) {
        JsonNode c = check(doc, id);
        assertEquals(status, c.get("status").asText(), c.toString());
        assertEquals(message, c.get("message").asText());
    }

    ValidateSetupEnv env() { return new ValidateSetupEnv(tmp).healthy(); }

    // ---------------------------------------------------------------- setup stage

    @Test
    void jbangIsFoundOnPathOrAsTheLauncherThatStartedTheScript() throws Exception {
        ValidateSetupEnv e = env();
        Path launcher = TestKit.repo().resolve("jbang");
        e.env.put("JBANG_LAUNCH_CMD", launcher.toString());
        assertCheck(json(run(e, "--stage", "setup", "--json")), "jbang", "ok", "jbang: the launcher " + launcher + " (not on PATH)");
        e.tool("jbang", "echo 0.132.1");
        assertCheck(json(run(e, "--stage", "setup", "--json")), "jbang", "ok", "jbang on PATH (" + e.bin.resolve("jbang") + ")");
    }

    @Test
    void aFreshCheckoutPassesTheSetupStage() throws Exception {
        ValidateSetupEnv e = env();
        TestKit.Run r = run(e, "--stage", "setup", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode doc = json(r);
        assertTrue(doc.get("ok").asBoolean());
        assertEquals(List.of("java", "jbang", "git", "python", "disk", "executorch", "venv"), ids(doc));
        assertCheck(doc, "executorch", "warn", "no ExecuTorch checkout yet at " + e.ws.resolve("executorch") + " (SetupRepo clones it)");
        assertEquals("jbang scripts/SetupRepo.java --workspace " + e.ws, check(doc, "executorch").get("fix").asText());
        assertCheck(doc, "venv", "warn", "no Python virtual environment yet at " + e.ws.resolve(".venv") + " (SetupRepo creates it)");
        assertCheck(doc, "git", "ok", "git version 2.45.1 (" + e.bin.resolve("git") + ")");
        assertCheck(doc, "python", "ok", "python3 3.12.4 (" + e.bin.resolve("python3") + ") (ExecuTorch needs 3.10-3.13)");
        assertEquals("ok", check(doc, "java").get("status").asText());
        assertFalse(doc.get("executorch").get("present").asBoolean());
        assertTrue(doc.get("executorch").get("sha").isNull());
        assertEquals(e.ws.resolve("configs/versions.json").toString(), doc.get("versions").asText());
        assertTrue(r.err().contains("    ExecuTorch: no checkout at " + e.ws.resolve("executorch")), r.err());
    }

    @Test
    void afterSetupRepoTheSetupStageAlsoPassesForTheCheckoutAndTheVenv() throws Exception {
        ValidateSetupEnv e = env().checkout().venvPython("exit 0");
        TestKit.Run r = run(e, "--stage", "setup", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode doc = json(r);
        assertCheck(doc, "executorch", "ok", "ExecuTorch checkout e2f18eb2a1b2 (clean) at " + e.ws.resolve("executorch"));
        assertCheck(doc, "venv", "ok", "virtual environment " + e.ws.resolve(".venv"));
        assertEquals(List.of(), messagesWith(doc, "warn"));
    }

    static List<String> messagesWith(JsonNode doc, String status) {
        List<String> out = new ArrayList<>();
        doc.get("checks").forEach(c -> { if (c.get("status").asText().equals(status) && !c.get("id").asText().equals("disk")) out.add(c.get("message").asText()); });
        return out;
    }

    @ParameterizedTest
    @CsvSource({
            "Python 3.9.18, fail, python3 3.9.18 (BIN/python3) is too old: ExecuTorch needs Python 3.10-3.13",
            "Python 3.14.0, fail, 'python3 3.14.0 (BIN/python3) is too new: ExecuTorch supports Python 3.10-3.13 (no wheels for newer ones yet)'",
            "Python 3.10.0, ok, python3 3.10.0 (BIN/python3) (ExecuTorch needs 3.10-3.13)",
            "Python 3.13.7, ok, python3 3.13.7 (BIN/python3) (ExecuTorch needs 3.10-3.13)"})
    void pythonMustBeInsideTheRangeOfThePinnedExecuTorch(String output, String status, String message) throws Exception {
        ValidateSetupEnv e = env().prints("python3", output);
        TestKit.Run r = run(e, "--stage", "setup", "--json");
        JsonNode doc = json(r);
        assertCheck(doc, "python", status, message.replace("BIN", e.bin.toString()));
        assertEquals(status.equals("fail") ? 1 : 0, r.code());
        if (status.equals("fail")) {
            assertEquals("install Python 3.13 (macOS: `brew install python@3.13`; or `pyenv install 3.13`) and put it first on PATH as python3",
                    check(doc, "python").get("fix").asText());
            assertTrue(r.err().contains("[fail] " + message.replace("BIN", e.bin.toString())), r.err());
        }
    }

    @Test
    void thePythonRangeComesFromConfigsVersionsJson() throws Exception {
        ValidateSetupEnv e = env().prints("python3", "Python 3.10.14").versions("{\"python\": {\"min\": \"3.11\", \"max\": \"3.12\"}}");
        JsonNode doc = json(run(e, "--stage", "setup", "--json"));
        assertCheck(doc, "python", "fail", "python3 3.10.14 (" + e.bin.resolve("python3") + ") is too old: ExecuTorch needs Python 3.11-3.12");
    }

    @Test
    void missingGitAndPythonFailWithInstallHints() throws Exception {
        ValidateSetupEnv e = env();
        Files.delete(e.bin.resolve("git"));
        Files.delete(e.bin.resolve("python3"));
        TestKit.Run r = run(e, "--stage", "setup", "--json");
        assertEquals(1, r.code());
        JsonNode doc = json(r);
        assertCheck(doc, "git", "fail", "git not found on PATH");
        assertCheck(doc, "python", "fail", "python3 not found on PATH (ExecuTorch needs Python 3.10-3.13)");
        assertFalse(doc.get("ok").asBoolean());
    }

    @Test
    void diskThresholds() {
        Path w = Path.of("/ws");
        Kit.Check ok = ValidateSetup.diskCheck(20 * ValidateSetup.GB, w);
        Kit.Check warn = ValidateSetup.diskCheck(10 * ValidateSetup.GB, w);
        Kit.Check fail = ValidateSetup.diskCheck(ValidateSetup.GB, w);
        assertEquals(new Kit.Check("disk", "ok", "disk: 20.0 GB free at /ws", null), ok);
        assertEquals("warn", warn.status());
        assertEquals("disk: 10.0 GB free at /ws (less than 15 GB)", warn.message());
        assertEquals("fail", fail.status());
        assertEquals("disk: 1.0 GB free at /ws (less than 5 GB: the build will run out of space)", fail.message());
    }

    @Test
    void javaOlderThan17Fails() {
        TestKit.Run r = TestKit.inProcess((out, err) -> {
            ValidateSetup v = new ValidateSetup(new Kit.Io(out, err, false));
            v.checkJava(11, "11.0.2");
            return 0;
        });
        assertTrue(r.err().contains("[fail] java 11.0.2 is too old: the scripts need Java 17 or newer"), r.err());
    }

    // ---------------------------------------------------------------- build stage

    @ParameterizedTest
    @CsvSource({
            "3.22.1, fail, cmake 3.22.1 (BIN/cmake) is too old: ExecuTorch needs CMake 3.24 or newer, 1",
            "3.27.9, warn, cmake 3.27.9 (BIN/cmake) is older than the recommended 3.29 (ExecuTorch's presets may not load), 0",
            "3.31.6, ok, cmake 3.31.6 (BIN/cmake), 0",
            "4.1.2, warn, 'cmake 4.1.2 (BIN/cmake) is newer than ExecuTorch supports (below 4.0; its requirements install cmake<4.0 into the venv)', 0"})
    void cmakeVersions(String version, String status, String message, int code) throws Exception {
        ValidateSetupEnv e = env().checkout().prints("cmake", "cmake version " + version + "\n\nCMake suite maintained and supported by Kitware.");
        TestKit.Run r = run(e, "--stage", "build", "--json");
        JsonNode doc = json(r);
        assertCheck(doc, "cmake", status, message.replace("BIN", e.bin.toString()));
        assertEquals(code, r.code(), r.toString());
        assertEquals(List.of("disk", "cmake", "ninja", "compiler", "executorch-submodules", "executorch", "torch"), ids(doc));
    }

    @Test
    void theVenvsCmakeComesFirstAndAMissingNinjaFails() throws Exception {
        ValidateSetupEnv e = env().checkout();
        Files.delete(e.bin.resolve("ninja"));
        TestKit.fakeTool(e.ws.resolve(".venv/bin"), "cmake", "echo 'cmake version 3.30.2'");
        TestKit.Run r = run(e, "--stage", "build", "--json");
        JsonNode doc = json(r);
        assertCheck(doc, "cmake", "ok", "cmake 3.30.2 (" + e.ws.resolve(".venv/bin/cmake") + ")");
        assertCheck(doc, "ninja", "fail", "ninja not found in .venv/bin or on PATH");
        assertEquals("install Ninja (`brew install ninja`, `sudo apt install ninja-build`, or `pip install ninja` in the .venv)",
                check(doc, "ninja").get("fix").asText());
        assertEquals(1, r.code());
    }

    @ParameterizedTest
    @CsvSource({
            "linux, 'clang version 17.0.6', fail, 'clang 17.0.6 (BIN/cc) is too old for the SME2 kernels (clang 18 or newer needed; XNNPACK drops SME2 with older compilers)'",
            "linux, 'Ubuntu clang version 18.1.3 (1ubuntu1)', ok, clang 18.1.3 (BIN/cc)",
            "mac, 'Apple clang version 15.0.0 (clang-1500.3.9.4)', fail, 'Apple clang 15.0.0 (BIN/cc) is too old for the SME2 kernels (Apple clang 16 or newer needed; XNNPACK drops SME2 with older compilers)'",
            "mac, 'Apple clang version 16.0.0 (clang-1600.0.26.6)', ok, Apple clang 16.0.0 (BIN/cc)",
            "linux, 'cc (Ubuntu 13.2.0-23ubuntu4) 13.2.0', warn, 'gcc 13.2.0 (BIN/cc) would build the runners, but the SME2 kernels are built and tested with clang 18+'"})
    void compilerVersionsDecideTheBuildStage(String os, String cc, String status, String message) throws Exception {
        ValidateSetupEnv e = env().checkout().prints("cc", cc + "\nTarget: arm64-apple-darwin24.1.0")
                .prints("xcode-select", "/Library/Developer/CommandLineTools");
        JsonNode doc = json(run(e, "--stage", "build", "--json", "--host-os", os));
        assertCheck(doc, "compiler", status, message.replace("BIN", e.bin.toString()));
        if (os.equals("mac")) assertCheck(doc, "xcode-clt", "ok", "Xcode command line tools at /Library/Developer/CommandLineTools");
        else assertFalse(ids(doc).contains("xcode-clt"));
    }

    @Test
    void theCompilerCheckedIsTheOneBuildRunnersUsesCcElseCc() throws Exception {
        // clang on PATH is 17 and cc is missing: BuildRunners would find no compiler, so neither may this check
        ValidateSetupEnv e = env().checkout().prints("clang", "clang version 17.0.6").prints("clang-18", "Ubuntu clang version 18.1.3 (1ubuntu1)");
        Files.delete(e.bin.resolve("cc"));
        TestKit.Run none = run(e, "--stage", "build", "--json");
        assertEquals(1, none.code(), none.toString());
        assertCheck(json(none), "compiler", "fail", "no C compiler: cc is not on PATH (BuildRunners builds with $CC, else cc)");
        assertEquals("install clang 18 or newer (e.g. `sudo apt install clang-18`) and export CC=clang-18 CXX=clang++-18",
                check(json(none), "compiler").get("fix").asText());

        // the fix it prints changes the verdict: CC=clang-18 is what BuildRunners then uses
        e.env.put("CC", "clang-18");
        TestKit.Run fixed = run(e, "--stage", "build", "--json");
        assertEquals(0, fixed.code(), fixed.toString());
        assertCheck(json(fixed), "compiler", "ok", "clang 18.1.3 (" + e.bin.resolve("clang-18") + ", from CC)");

        e.env.put("CC", "clang");
        assertCheck(json(run(e, "--stage", "build", "--json")), "compiler", "fail", "clang 17.0.6 (" + e.bin.resolve("clang")
                + ", from CC) is too old for the SME2 kernels (clang 18 or newer needed; XNNPACK drops SME2 with older compilers)");
        e.env.put("CC", "clang-19");
        assertCheck(json(run(e, "--stage", "build", "--json")), "compiler", "fail", "no C compiler: CC=clang-19 is not on PATH (BuildRunners builds with $CC, else cc)");
    }

    @Test
    void macWithoutTheXcodeCommandLineToolsFails() throws Exception {
        ValidateSetupEnv e = env().checkout().tool("xcode-select", "echo 'xcode-select: error: unable to get active developer directory' >&2; exit 2");
        TestKit.Run r = run(e, "--stage", "build", "--json", "--host-os", "mac");
        JsonNode c = check(json(r), "xcode-clt");
        assertEquals("fail", c.get("status").asText());
        assertEquals("no Xcode command line tools selected (`xcode-select -p`: exit 2: xcode-select: error: unable to get active developer directory)",
                c.get("message").asText());
        assertEquals("install the Xcode command line tools: `xcode-select --install`", c.get("fix").asText());
        assertEquals(1, r.code());
    }

    @Test
    void theCheckoutShaAndDirtyFlagAreAlwaysShown() throws Exception {
        ValidateSetupEnv e = env().checkout().git(SHA, true, null);
        TestKit.Run setup = run(e, "--stage", "setup", "--json");
        assertEquals(0, setup.code(), setup.toString());
        JsonNode doc = json(setup);
        assertEquals(SHA, doc.get("executorch").get("sha").asText());
        assertTrue(doc.get("executorch").get("dirty").asBoolean());
        assertTrue(doc.get("executorch").get("present").asBoolean());
        assertTrue(setup.err().contains("    ExecuTorch: " + SHA + " (dirty: uncommitted changes) at " + e.ws.resolve("executorch")), setup.err());

        TestKit.Run build = run(e, "--stage", "build", "--json");
        JsonNode c = check(json(build), "executorch");
        assertEquals("warn", c.get("status").asText());
        assertEquals("ExecuTorch checkout e2f18eb2a1b2 is dirty (uncommitted changes); results will record dirty=true", c.get("message").asText());
        assertEquals(0, build.code());
    }

    @Test
    void aCleanCheckoutIsOkAndAFolderWithoutGitFails() throws Exception {
        ValidateSetupEnv e = env().checkout();
        assertCheck(json(run(e, "--stage", "build", "--json")), "executorch", "ok",
                "ExecuTorch checkout e2f18eb2a1b2 (clean) at " + e.ws.resolve("executorch"));
        e.git(null, false, null);
        TestKit.Run r = run(e, "--stage", "build", "--json");
        assertCheck(json(r), "executorch", "fail", e.ws.resolve("executorch") + " is not a git checkout (no commit to record with the results)");
        assertEquals(1, r.code());
    }

    @Test
    void aMissingCheckoutFailsWithTheCloneCommandAtThePinnedRef() throws Exception {
        ValidateSetupEnv e = env().versions("{\"executorch\": {\"ref\": \"v1.0.0\"}}");
        JsonNode c = check(json(run(e, "--stage", "build", "--json")), "executorch");
        assertEquals("fail", c.get("status").asText());
        Path ex = e.ws.resolve("executorch");
        assertEquals("jbang scripts/SetupRepo.java --workspace " + e.ws + " (or by hand: git clone --branch v1.0.0 https://github.com/pytorch/executorch.git "
                + ex + " && git -C " + ex + " submodule update --init --recursive)", c.get("fix").asText());
    }

    @Test
    void aCheckoutAwayFromThePinnedRefWarns() throws Exception {
        ValidateSetupEnv e = env().checkout().git(SHA, false, "0123456789abcdef0123456789abcdef01234567")
                .versions("{\"executorch\": {\"ref\": \"v1.0.0\"}}");
        JsonNode doc = json(run(e, "--stage", "build", "--json"));
        assertCheck(doc, "executorch-ref", "warn", "the checkout is at e2f18eb2a1b2, not at the pinned v1.0.0 (0123456789ab)");
        assertEquals("v1.0.0", doc.get("executorch").get("pinned_ref").asText());
        e.git(SHA, false, SHA);
        assertFalse(ids(json(run(e, "--stage", "build", "--json"))).contains("executorch-ref"));

        ValidateSetupEnv pinnedBySha = new ValidateSetupEnv(tmp.resolve("b")).healthy().checkout().git("1111111111112222222222223333333333334444", false, null);
        JsonNode c = check(json(run(pinnedBySha, "--stage", "build", "--json")), "executorch-ref");
        assertEquals("the checkout is at 111111111111, not at the pinned v1.3.1 (e2f18eb2a1b2)", c.get("message").asText());
        Path ex = pinnedBySha.ws.resolve("executorch");
        assertEquals("git -C " + ex + " checkout v1.3.1 && git -C " + ex + " submodule update --init --recursive", c.get("fix").asText());
    }

    @Test
    void theBuiltInDefaultsAreTheValuesOfConfigsVersionsJson() {
        JsonNode v = Kit.readJson(TestKit.repo().resolve("configs/versions.json"));
        Kit.Versions d = Kit.Versions.DEFAULTS;
        assertEquals(v.get("executorch").get("ref").asText(), d.ref());
        assertEquals(v.get("executorch").get("sha").asText(), d.sha());
        assertEquals(v.get("executorch").get("url").asText(), d.url());
        assertEquals(v.get("torch").get("version").asText(), d.torch());
        assertEquals(v.get("python").get("min").asText(), ValidateSetup.minor(d.pythonMin()));
        assertEquals(v.get("python").get("max").asText(), ValidateSetup.minor(d.pythonMax()));
        assertEquals(v.get("cmake").get("min").asText(), ValidateSetup.minor(d.cmakeMin()));
        assertEquals(v.get("cmake").get("recommended").asText(), ValidateSetup.minor(d.cmakeRecommended()));
        assertEquals(v.get("cmake").get("below").asText(), ValidateSetup.minor(d.cmakeBelow()));
        assertEquals(v.get("clang").get("min").asInt(), d.clangMin());
        assertEquals(v.get("apple_clang").get("min").asInt(), d.appleClangMin());
        assertEquals(v.get("ndk").get("min").asText(), String.valueOf(d.ndkMin()));
    }

    // ---------------------------------------------------------------- export stage

    @Test
    void importExecutorchInTheVenv() throws Exception {
        ValidateSetupEnv e = env().checkout().venvPython("echo 'python 3.12.4'; echo 'executorch 1.3.1'");
        TestKit.Run r = run(e, "--stage", "export", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode doc = json(r);
        assertCheck(doc, "venv", "ok", "virtual environment " + e.ws.resolve(".venv"));
        assertCheck(doc, "executorch-python", "ok", "executorch 1.3.1 imports in " + e.ws.resolve(".venv/bin/python") + " (python 3.12.4)");

        e.venvPython("echo 'python 3.12.4'; echo 'executorch 1.0.0'");
        assertCheck(json(run(e, "--stage", "export", "--json")), "executorch-python", "warn",
                "executorch 1.0.0 imports in " + e.ws.resolve(".venv/bin/python") + " (python 3.12.4), but the pinned ref is v1.3.1");
        e.venvPython("echo 'python 3.14.0'; echo 'executorch 1.3.1'");
        assertCheck(json(run(e, "--stage", "export", "--json")), "executorch-python", "fail",
                "executorch 1.3.1 imports in " + e.ws.resolve(".venv/bin/python") + " (python 3.14.0), but that python is outside 3.10-3.13");

        e.venvPython("echo 'Traceback (most recent call last):' >&2; echo \"ModuleNotFoundError: No module named 'executorch'\" >&2; exit 1");
        r = run(e, "--stage", "export", "--json");
        assertEquals(1, r.code());
        assertCheck(json(r), "executorch-python", "fail", "`import executorch` fails in " + e.ws.resolve(".venv/bin/python")
                + " (exit 1: ModuleNotFoundError: No module named 'executorch')");
    }

    @Test
    void noVenvFailsAndSkipsTheImport() throws Exception {
        ValidateSetupEnv e = env();
        TestKit.Run r = run(e, "--stage", "export", "--json");
        JsonNode doc = json(r);
        assertCheck(doc, "venv", "fail", "no Python virtual environment at " + e.ws.resolve(".venv"));
        assertCheck(doc, "executorch-python", "skip", "import executorch: no venv python at " + e.ws.resolve(".venv/bin/python"));
        assertEquals(1, r.code());
    }

    // ---------------------------------------------------------------- run stage

    @Test
    void aMissingRunnerFailsWithTheBuildCommand() throws Exception {
        ValidateSetupEnv e = env().checkout().cpuinfo(true);
        e.runner("host-sme2-on", null);
        TestKit.Run r = run(e, "--stage", "run", "--json");
        assertEquals(1, r.code());
        JsonNode doc = json(r);
        JsonNode c = check(doc, "runners");
        assertEquals("fail", c.get("status").asText());
        assertEquals("host runner not built: host-sme2-off (looked for " + e.ws.resolve("executorch/cmake-out")
                + "/<variant>/executor_runner; the SME2 comparison needs both)", c.get("message").asText());
        assertEquals("jbang scripts/BuildRunners.java --variants host-sme2-off", c.get("fix").asText());
        assertEquals("warn", check(doc, "runner:host-sme2-on").get("status").asText(), "no build.json beside it");
        assertTrue(r.err().contains("       fix: jbang scripts/BuildRunners.java --variants host-sme2-off"), r.err());
    }

    @Test
    void builtRunnersShowTheirBuildJsonFacts() throws Exception {
        ValidateSetupEnv e = env().checkout().cpuinfo(true);
        for (String v : List.of("host-sme2-on", "host-sme2-off"))   // the shape BuildRunners writes
            e.runner(v, "{\"schema_version\": 1, \"tool\": \"BuildRunners\", \"variant\": \"" + v + "\", \"compiler\": {\"id\": \"Clang\", "
                    + "\"version\": \"18.1.8\", \"path\": \"/usr/bin/clang\"}, \"executorch_sha\": \"" + SHA + "\", \"executorch\": {\"sha\": \"" + SHA + "\", \"dirty\": false, "
                    + "\"ref\": \"v1.3.1\"}, \"sme2_symbol_count\": " + (v.endsWith("on") ? 42 : 0) + "}");
        TestKit.Run r = run(e, "--stage", "run", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode doc = json(r);
        assertCheck(doc, "runner:host-sme2-on", "ok", "host-sme2-on: " + e.runnerPath("host-sme2-on") + " (ExecuTorch e2f18eb2a1b2, Clang 18.1.8, SME2 symbols 42)");
        assertCheck(doc, "runners", "ok", "host runners built: host-sme2-on, host-sme2-off (kernel-logging runners not built, optional: "
                + "host-sme2-on-xnnlog, host-sme2-off-xnnlog)");
        assertCheck(doc, "host-sme2", "ok", "host CPU supports SME2 (sme2 in the Features of " + e.home.resolve("cpuinfo") + ")");
    }

    @Test
    void theBuildJsonBuildRunnersWritesIsWhatThisCheckReads() throws Exception {
        ValidateSetupEnv e = env().cpuinfo(true);
        RecordingFakes fakes = new RecordingFakes(tmp.resolve("fakes")).git().cmake("3.31.6", "Clang", "18.1.3").ninja("1.11.1")
                .compiler("cc", "Ubuntu clang version 18.1.3 (1ubuntu1)").uname("Linux", "aarch64");
        RecordingFakes.checkout(e.ws, "v1.3.1", null);
        fakes.venvPython(e.ws.resolve(".venv"), "3.12.4");
        TestKit.Run built = TestKit.inProcess((out, err) -> BuildRunners.run(fakes.env(), out, err, "--workspace", e.ws.toString(),
                "--variants", "host-sme2-on,host-sme2-off", "--jobs", "2"));
        assertEquals(0, built.code(), built.toString());

        e.git(RecordingFakes.ET_SHA, false, null);
        JsonNode same = json(run(e, "--stage", "run", "--json"));
        assertCheck(same, "runner:host-sme2-on", "ok", "host-sme2-on: " + e.runnerPath("host-sme2-on") + " (ExecuTorch e2f18eb23c45, Clang 18.1.3, SME2 symbols 2)");
        assertCheck(same, "runner:host-sme2-off", "ok", "host-sme2-off: " + e.runnerPath("host-sme2-off") + " (ExecuTorch e2f18eb23c45, Clang 18.1.3, SME2 symbols 0)");

        e.git(SHA, false, null);   // the checkout moved to another commit after the build
        assertCheck(json(run(e, "--stage", "run", "--json")), "runner:host-sme2-off", "warn", "host-sme2-off: " + e.runnerPath("host-sme2-off")
                + " (ExecuTorch e2f18eb23c45, Clang 18.1.3, SME2 symbols 0): built from another ExecuTorch commit than the checkout (e2f18eb2a1b2)");
    }

    @Test
    void runnerSanityWarnings() throws Exception {
        ValidateSetupEnv e = env().checkout().cpuinfo(true);
        // as BuildRunners writes them: the commit top-level and in "executorch" (the off runner: a build.json from before executorch_sha existed)
        e.runner("host-sme2-on", "{\"executorch_sha\": \"" + SHA + "\", \"executorch\": {\"sha\": \"" + SHA + "\", \"dirty\": false}, "
                + "\"sme2_symbol_count\": 0, \"sme2_expected\": \"more than 0\"}");
        e.runner("host-sme2-off", "{\"executorch\": {\"sha\": \"0123456789abcdef\"}}");
        JsonNode doc = json(run(e, "--stage", "run", "--json"));
        assertCheck(doc, "runner:host-sme2-on", "warn", "host-sme2-on: " + e.runnerPath("host-sme2-on")
                + " (ExecuTorch e2f18eb2a1b2, SME2 symbols 0): the SME2-on runner contains no SME2 kernels");
        assertCheck(doc, "runner:host-sme2-off", "warn", "host-sme2-off: " + e.runnerPath("host-sme2-off")
                + " (ExecuTorch 0123456789ab): built from another ExecuTorch commit than the checkout (e2f18eb2a1b2)");
        assertEquals("rebuild it: jbang scripts/BuildRunners.java --variants host-sme2-off", check(doc, "runner:host-sme2-off").get("fix").asText());

        e.runner("host-sme2-on", "{\"executorch_sha\": \"" + SHA + "\", \"executorch\": {\"sha\": \"" + SHA + "\", \"dirty\": false}, "
                + "\"sme2_symbol_count\": 0, \"sme2_expected\": \"0\"}");
        assertEquals("ok", check(json(run(e, "--stage", "run", "--json")), "runner:host-sme2-on").get("status").asText(),
                "no SME2 kernels are expected where BuildRunners says so (an x86-64 build)");
    }

    @Test
    void hostSme2PresentAndAbsentOnLinux() throws Exception {
        ValidateSetupEnv e = env().checkout();
        e.runner("host-sme2-on", null);
        e.runner("host-sme2-off", null);
        JsonNode absent = json(run(e.cpuinfo(false), "--stage", "run", "--json"));
        JsonNode c = check(absent, "host-sme2");
        assertEquals("warn", c.get("status").asText());
        assertEquals("host CPU has no SME2 (no sme2 in the Features of " + e.home.resolve("cpuinfo") + "); host arch aarch64: "
                + "the SME2-on runner will use NEON kernels, so on/off will not differ", c.get("message").asText());
        assertEquals("ok", check(json(run(e.cpuinfo(true), "--stage", "run", "--json")), "host-sme2").get("status").asText());
        ValidateSetupEnv.write(e.home.resolve("cpuinfo"), "processor\t: 0\nflags\t\t: fpu avx2\n");
        assertEquals("host CPU has no Arm Features line in " + e.home.resolve("cpuinfo") + "; host arch aarch64: the SME2-on runner will use NEON kernels, so on/off will not differ",
                check(json(run(e, "--stage", "run", "--json")), "host-sme2").get("message").asText());
    }

    @ParameterizedTest
    @CsvSource({"1, ok, host CPU supports SME2 (hw.optional.arm.FEAT_SME2 = 1)",
            "0, warn, 'host CPU has no SME2 (hw.optional.arm.FEAT_SME2 = 0): the SME2-on runner will use NEON kernels, so on/off will not differ'"})
    void hostSme2OnMacComesFromSysctl(String value, String status, String message) throws Exception {
        ValidateSetupEnv e = env().checkout().tool("sysctl", "[ \"$*\" = '-n hw.optional.arm.FEAT_SME2' ] && echo " + value);
        e.runner("host-sme2-on", null);
        e.runner("host-sme2-off", null);
        assertCheck(json(run(e, "--stage", "run", "--json", "--host-os", "mac")), "host-sme2", status, message);
    }

    @Test
    void modelAndItsEtrecord() throws Exception {
        ValidateSetupEnv e = env();
        Path pte = e.ws.resolve("models/mv2_xnnpack_fp16.pte");
        Files.createDirectories(pte.getParent());
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), pte);
        JsonNode doc = json(run(e, "--stage", "setup", "--json", "--model", pte.toString()));
        assertEquals("ok", check(doc, "model").get("status").asText());
        assertTrue(check(doc, "model").get("message").asText().startsWith("model " + pte + " ("), check(doc, "model").toString());
        assertCheck(doc, "model-etrecord", "warn", "no ETRecord beside the model (" + e.ws.resolve("models/mv2_xnnpack_fp16.etrecord")
                + "): the analysis cannot name operators from the graph");
        assertEquals("re-export to write it: jbang scripts/ExportModel.java --model mv2 --dtype fp16", check(doc, "model-etrecord").get("fix").asText());
        Files.writeString(e.ws.resolve("models/mv2_xnnpack_fp16.etrecord"), "PK");
        assertEquals("ok", check(json(run(e, "--stage", "setup", "--json", "--model", pte.toString())), "model-etrecord").get("status").asText());

        Path missing = e.ws.resolve("models/mv3_xnnpack_fp32.pte");
        TestKit.Run r = run(e, "--stage", "setup", "--json", "--model", missing.toString());
        assertEquals(1, r.code());
        assertCheck(json(r), "model", "fail", "model " + missing + " not found");
        assertEquals("jbang scripts/ExportModel.java --model mv3 --dtype fp32", check(json(r), "model").get("fix").asText());

        Path notPte = e.ws.resolve("models/x_xnnpack_fp32.pte");
        Files.writeString(notPte, "{\"not\": \"a program\"}");
        assertCheck(json(run(e, "--stage", "setup", "--json", "--model", notPte.toString())), "model", "fail",
                "model " + notPte + " is not an ExecuTorch program (no ET12 identifier at byte 4)");
    }

    @Test
    void theExportFixIsACommandExportModelAccepts() throws Exception {
        assertEquals("jbang scripts/ExportModel.java --model mv2 --dtype int8", ValidateSetup.exportCommand(Path.of("models/mv2_xnnpack_q8.pte")));
        assertEquals("jbang scripts/ExportModel.java --model mv2 --dtype int8", ValidateSetup.exportCommand(Path.of("models/mv2_xnnpack_int8.pte")));
        assertEquals("jbang scripts/ExportModel.java --model add --backend portable --dtype fp32",
                ValidateSetup.exportCommand(Path.of("models/add_portable_fp32.pte")));

        ValidateSetupEnv e = env();
        Path missing = e.ws.resolve("models/resnet18_xnnpack_q8.pte");
        assertEquals("jbang scripts/ExportModel.java --model resnet18 --dtype int8",
                check(json(run(e, "--stage", "setup", "--json", "--model", missing.toString())), "model").get("fix").asText());
        Path custom = e.ws.resolve("models/my model.pte");
        Files.createDirectories(custom.getParent());
        Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), custom);
        assertEquals("re-export to write it: jbang scripts/ExportModel.java --model <name> --dtype <fp32|fp16|int8> (it writes models/<name>_xnnpack_<dtype>.pte)",
                check(json(run(e, "--stage", "setup", "--json", "--model", custom.toString())), "model-etrecord").get("fix").asText());
    }

    // ---------------------------------------------------------------- config

    @Test
    void anInvalidConfigExitsTwoWithEveryProblem() throws Exception {
        ValidateSetupEnv e = env();
        Path cfg = e.ws.resolve("bad.json");
        Files.writeString(cfg, "{\"experiments\": []}");
        TestKit.Run r = run(e, "--stage", "setup", "--config", cfg.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("error: 2 problems in the config:\n  " + cfg + ": $.model: missing; set it to the .pte file to profile"), r.err());
        assertTrue(r.err().contains("\n  " + cfg + ": $.experiments: empty list"), r.err());
        assertEquals("", r.out());
        Path broken = e.ws.resolve("broken.json");
        Files.writeString(broken, "{\n  \"model\": \"m.pte\",\n  oops\n}");
        TestKit.Run b = run(e, "--config", broken.toString());
        assertEquals(2, b.code());
        assertTrue(b.err().contains("error: " + broken + ":3:"), b.err());
    }

    @Test
    void aConfigNamesItsMissingModelAndRunnersWithTheCommandsThatMakeThem() throws Exception {
        ValidateSetupEnv e = env().checkout().cpuinfo(true);
        e.runner("host-sme2-on", null);
        Path cfg = e.ws.resolve("configs/mac.json");
        Files.writeString(cfg, """
                {"model": "../models/mv2_xnnpack_fp16.pte",
                 "experiments": [
                   {"name": "mac_sme2_on", "runner_path": "../executorch/cmake-out/host-sme2-on/executor_runner"},
                   {"name": "mac_sme2_off", "runner_path": "../executorch/cmake-out/host-sme2-off/executor_runner"},
                   {"name": "custom", "runner_path": "../elsewhere/my_runner"}]}
                """);
        TestKit.Run r = run(e, "--stage", "run", "--json", "--config", cfg.toString());
        assertEquals(1, r.code());
        JsonNode doc = json(r);
        assertFalse(ids(doc).contains("runners"), "the config's runners replace the generic host-runner check");
        assertCheck(doc, "config", "ok", cfg + ": valid (3 experiments)");
        assertCheck(doc, "config-model", "fail", "model " + e.ws.resolve("models/mv2_xnnpack_fp16.pte") + " not found");
        assertEquals("jbang scripts/ExportModel.java --model mv2 --dtype fp16", check(doc, "config-model").get("fix").asText());
        assertEquals("warn", check(doc, "config-runner:mac_sme2_on").get("status").asText());
        assertCheck(doc, "config-runner:mac_sme2_off", "fail", "experiment mac_sme2_off: runner " + e.runnerPath("host-sme2-off") + " not found");
        assertEquals("jbang scripts/BuildRunners.java --variants host-sme2-off", check(doc, "config-runner:mac_sme2_off").get("fix").asText());
        assertEquals("build it, or correct experiments[].runner_path in " + cfg, check(doc, "config-runner:custom").get("fix").asText());
    }

    // ---------------------------------------------------------------- android stage

    @ParameterizedTest
    @CsvSource({"26.3.11579264, fail, 'Android NDK r26 (26.3.11579264) at DIR is too old: SME2 kernels need NDK r27 or newer (clang 18+)'",
            "27.0.12077973, ok, Android NDK r27 (27.0.12077973) at DIR",
            "28.1.13356709, ok, Android NDK r28 (28.1.13356709) at DIR"})
    void ndkMustBeR27OrNewer(String revision, String status, String message) throws Exception {
        ValidateSetupEnv e = env().adb(List.of("R5CX1234 device"), true);
        Path ndk = e.ndk(revision);
        assertCheck(json(run(e, "--stage", "android", "--json")), "android-ndk", status, message.replace("DIR", ndk.toString()));
    }

    @Test
    void ndkUnsetOrNotAnNdkFails() throws Exception {
        ValidateSetupEnv e = env().adb(List.of("R5CX1234 device"), true);
        JsonNode c = check(json(run(e, "--stage", "android", "--json")), "android-ndk");
        assertEquals("ANDROID_NDK is not set (nor ANDROID_NDK_HOME or ANDROID_NDK_ROOT)", c.get("message").asText());
        assertEquals("install NDK r27 or newer (Android Studio SDK Manager, or `sdkmanager \"ndk;27.2.12479018\"`) and export ANDROID_NDK=<its folder>",
                c.get("fix").asText());
        e.env.put("ANDROID_NDK_HOME", tmp.toString());
        assertCheck(json(run(e, "--stage", "android", "--json")), "android-ndk", "fail",
                "ANDROID_NDK_HOME=" + tmp + " is not an NDK (no source.properties there)");
    }

    @Test
    void ndkRootIsAcceptedLikeBuildRunnersAcceptsIt() throws Exception {
        ValidateSetupEnv e = env().adb(List.of("R5CX1234 device"), true);
        Path ndk = e.ndk("27.2.12479018");
        e.env.remove("ANDROID_NDK");
        e.env.put("ANDROID_NDK_ROOT", ndk.toString());
        assertCheck(json(run(e, "--stage", "android", "--json")), "android-ndk", "ok", "Android NDK r27 (27.2.12479018) at " + ndk);
    }

    @Test
    void androidDeviceOnlineWithSme2AndTheRunnersPass() throws Exception {
        ValidateSetupEnv e = env().adb(List.of("R5CX1234 device"), true);
        e.ndk("27.2.12479018");
        e.runner("android-arm64-sme2-on", null);
        e.runner("android-arm64-sme2-off", null);
        TestKit.Run r = run(e, "--stage", "android", "--json");
        JsonNode doc = json(r);
        assertCheck(doc, "adb", "ok", "Android Debug Bridge version 1.0.41 (" + e.bin.resolve("adb") + ")");
        assertCheck(doc, "android-device", "ok", "device R5CX1234 online");
        assertCheck(doc, "device-sme2", "ok", "device R5CX1234 supports SME2 (sme2 in its /proc/cpuinfo Features)");
        assertEquals("ok", check(doc, "android-runners").get("status").asText());
        assertEquals(List.of("adb", "android-device", "device-sme2", "android-ndk", "runner:android-arm64-sme2-on",
                "runner:android-arm64-sme2-off", "android-runners"), ids(doc));
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void androidDeviceProblems() throws Exception {
        ValidateSetupEnv e = env();
        e.ndk("27.0.12077973");
        JsonNode noAdb = json(run(e, "--stage", "android", "--json"));
        assertCheck(noAdb, "adb", "fail", "adb not found on PATH");
        assertEquals("skip", check(noAdb, "android-device").get("status").asText());

        assertCheck(json(run(e.adb(List.of(), true), "--stage", "android", "--json")), "android-device", "fail",
                "no Android device connected (`adb devices` lists none)");
        JsonNode unauthorized = json(run(e.adb(List.of("R5CX1234 unauthorized"), true), "--stage", "android", "--json"));
        assertCheck(unauthorized, "android-device", "fail", "device R5CX1234 is unauthorized");
        assertEquals("unlock the device and accept the 'Allow USB debugging' prompt, then run this again",
                check(unauthorized, "android-device").get("fix").asText());
        assertFalse(ids(unauthorized).contains("device-sme2"));
        assertCheck(json(run(e.adb(List.of("R5CX1234 device"), false), "--stage", "android", "--json")), "device-sme2", "warn",
                "device R5CX1234 has no SME2 (no sme2 in the Features of its /proc/cpuinfo): the SME2-on runner will use NEON kernels there");
        assertCheck(json(run(e.adb(List.of("A1 device", "B2 device"), true), "--stage", "android", "--json")), "android-device", "warn",
                "several devices online (A1, B2): the pipeline needs to know which one");
        e.env.put("ANDROID_SERIAL", "B2");
        assertCheck(json(run(e, "--stage", "android", "--json")), "android-device", "ok", "device B2 online");
        e.env.put("ANDROID_SERIAL", "C3");
        assertCheck(json(run(e, "--stage", "android", "--json")), "android-device", "fail",
                "device C3 is not connected (connected: A1 device, B2 device)");
    }

    // ---------------------------------------------------------------- usage, dry-run, real processes

    @Test
    void anUnknownStageIsBadInput() {
        TestKit.Run r = run(env(), "--stage", "setup,deploy");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("error: --stage deploy: unknown stage"), r.err());
        assertTrue(r.err().contains("fix: use one of setup, build, export, run, android, all (comma-separated)"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void dryRunPrintsTheProbeCommandsAndRunsNone() throws Exception {
        ValidateSetupEnv e = env().checkout();
        e.tool("python3", "touch " + tmp.resolve("ran") + "; echo 'Python 3.12.4'");
        TestKit.Run r = run(e, "--stage", "setup", "--dry-run");
        assertEquals(0, r.code(), r.toString());
        Path ex = e.ws.resolve("executorch");
        assertEquals(String.join("\n",
                e.bin.resolve("git") + " -C " + ex + " rev-parse HEAD",
                e.bin.resolve("git") + " -C " + ex + " status --porcelain --untracked-files=no",
                e.bin.resolve("git") + " --version",
                e.bin.resolve("python3") + " --version") + "\n", r.out());
        assertFalse(Files.exists(tmp.resolve("ran")));
        assertFalse(r.err().contains("[ok]"), r.err());

        JsonNode doc = json(run(e, "--stage", "export", "--dry-run", "--json"));
        assertTrue(doc.get("dry_run").asBoolean());
        JsonNode last = doc.get("commands").get(doc.get("commands").size() - 1);
        assertEquals(e.ws.resolve(".venv/bin/python").toString(), last.get(0).asText());
        assertEquals("-c", last.get(1).asText());
        assertEquals(ValidateSetup.IMPORT_PROBE, last.get(2).asText());
    }

    @Test
    void helpThroughJbangShowsStagesExamplesAndExitCodes() {
        TestKit.Run r = TestKit.jbang(TestKit.repo(), Map.of(), "scripts/ValidateSetup.java", "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Usage: ValidateSetup"), r.out());
        assertTrue(r.out().contains("  ./jbang scripts/ValidateSetup.java --stage setup"), r.out());   // started through ./jbang
        assertTrue(r.out().contains("Exit codes:") && r.out().contains("2   bad input"), r.out());
        assertFalse(r.out().contains("--env"), "test-only options stay hidden");
    }

    @Test
    void realProcessReadsPathAndEnvironmentAndUsesDefaultVersionsWithoutConfigs() throws Exception {
        ValidateSetupEnv e = env().adb(List.of("R5CX1234 device"), true).cpuinfo(true);
        Files.delete(e.bin.resolve("uname"));
        Files.delete(e.ws.resolve("configs/versions.json"));
        Path ndk = e.ndk("27.0.12077973");
        for (String v : List.of("host-sme2-on", "host-sme2-off", "android-arm64-sme2-on", "android-arm64-sme2-off")) e.runner(v, null);
        Path cwd = Files.createDirectories(tmp.resolve("elsewhere"));
        Map<String, String> environment = Map.of("PATH", e.bin + ":" + System.getenv("PATH"), "ANDROID_NDK", ndk.toString(),
                "SME2_CPUINFO", e.home.resolve("cpuinfo").toString(), "ANDROID_SERIAL", "", "ANDROID_NDK_HOME", "");
        TestKit.Run r = TestKit.jbang(cwd, environment, TestKit.script("ValidateSetup.java").toString(),
                "--workspace", e.ws.toString(), "--stage", "setup,run,android", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode doc = json(r);
        assertEquals("built-in defaults", doc.get("versions").asText());
        assertCheck(doc, "python", "ok", "python3 3.12.4 (" + e.bin.resolve("python3") + ") (ExecuTorch needs 3.10-3.13)");
        assertCheck(doc, "host-sme2", "ok", "host CPU supports SME2 (sme2 in the Features of " + e.home.resolve("cpuinfo") + ")");
        assertCheck(doc, "android-ndk", "ok", "Android NDK r27 (27.0.12077973) at " + ndk);
        assertCheck(doc, "device-sme2", "ok", "device R5CX1234 supports SME2 (sme2 in its /proc/cpuinfo Features)");
    }
}
