import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** SetupRepo against recording fakes (git, python3 and the venv python) first on PATH. */
class SetupRepoTest {
    static final String URL = "https://github.com/pytorch/executorch.git";
    @TempDir Path tmp;
    RecordingFakes fakes;
    Path ws;

    @BeforeEach
    void setUp() {
        fakes = new RecordingFakes(tmp.resolve("fakes")).git().python("python3", "3.12.4");
        ws = tmp.resolve("ws");
    }

    TestKit.Run setup(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--workspace";
        all[1] = ws.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return TestKit.inProcess((out, err) -> SetupRepo.run(fakes.env(), out, err, all));
    }

    @Test
    void aFreshWorkspaceIsCreatedStepByStepInThisOrder() throws Exception {
        TestKit.Run r = setup();
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of(
                "[.] git --version",
                "[.] python3 --version",
                "[.] python3 -m venv .venv",
                "[.] git clone --branch v1.3.1 --depth 1 -- " + URL + " executorch",
                "[executorch] git rev-parse HEAD",
                "[executorch] git submodule sync --recursive",
                "[executorch] git submodule update --init --recursive",
                "[.] python -I -c <code>",
                "[executorch] python install_executorch.py",
                "[.] python -I -c <code>",
                "[executorch] git status --porcelain --untracked-files=no"), fakes.lines(ws));

        JsonNode w = Kit.readJson(ws.resolve("workspace.json"));
        assertEquals("v1.3.1", w.at("/executorch/ref").asText());
        assertEquals(RecordingFakes.ET_SHA, w.at("/executorch/sha").asText());
        assertFalse(w.at("/executorch/dirty").asBoolean());
        assertEquals("3.12.4", w.at("/python/version").asText());
        assertEquals(ws.resolve(".venv/bin/python").toString(), w.at("/python/executable").asText());
        assertEquals("2.12.0", w.at("/torch").asText());
        assertEquals("1.3.1+e2f18eb", w.at("/executorch_package").asText());
        assertEquals(List.of("venv:done", "clone:done", "submodules:done", "install:done"), steps(w));
        for (JsonNode s : w.get("steps")) assertTrue(s.get("seconds").isNumber(), s.toString());
        assertTrue(Files.readString(ws.resolve("logs/setup-clone.log")).contains("Cloning into 'executorch'..."));
        assertTrue(Files.readString(ws.resolve("logs/setup-install.log")).contains("Successfully installed executorch-1.3.1"));
        assertTrue(Files.exists(ws.resolve("logs/setup-submodule-update.log")));
        assertTrue(r.err().contains("==> [clone] ExecuTorch v1.3.1 into executorch/"), r.err());
        assertTrue(r.err().matches("(?s).*\\[ok] {3}cloned v1\\.3\\.1 \\(e2f18eb23c45\\) \\(\\d+\\.\\d s\\).*"), r.err());
    }

    @Test
    void theInstallerRunsInTheCheckoutWithTheVenvFirstOnPath() {
        assertEquals(0, setup().code());
        RecordingFakes.Call install = fakes.calls().stream().filter(c -> c.args().equals(List.of("install_executorch.py"))).findFirst().orElseThrow();
        assertEquals(ws.resolve("executorch"), install.cwd());
        assertEquals(ws.resolve(".venv/bin").toString(), install.path1());
        assertEquals(ws.resolve(".venv").toString(), install.virtualEnv());
    }

    @Test
    void aSecondRunOnlyChecksAndIssuesNoCloneVenvOrInstall() throws Exception {
        assertEquals(0, setup().code());
        fakes.clear();
        TestKit.Run again = setup("--json");
        assertEquals(0, again.code(), again.toString());
        assertEquals(List.of(
                "[.] git --version",
                "[executorch] git rev-parse HEAD",
                "[executorch] git rev-parse --verify --quiet v1.3.1^{commit}",
                "[executorch] git status --porcelain --untracked-files=no",
                "[.] python -I -c <code>",
                "[executorch] git submodule status --recursive"), fakes.lines(ws), "the clean checkout's git status is not asked twice");
        JsonNode out = Kit.JSON.readTree(again.out());
        assertEquals(List.of("venv:skipped", "clone:skipped", "submodules:skipped", "install:skipped"), steps(out));
        assertEquals(RecordingFakes.ET_SHA, out.at("/executorch/sha").asText());
        assertEquals(out, Kit.readJson(ws.resolve("workspace.json")));
    }

    @Test
    void aCheckoutAtAnotherRefIsReportedWithTheFixAndLeftAlone() throws Exception {
        RecordingFakes.checkout(ws, "v1.2.0", null);
        TestKit.Run r = setup();
        assertEquals(1, r.code(), r.toString());
        String sha = Files.readString(ws.resolve("executorch/.fakegit/sha")).trim();
        assertTrue(r.err().contains("error: " + ws.resolve("executorch") + " is at v1.2.0 (" + sha.substring(0, 12) + "), not at v1.3.1;"
                + " SetupRepo does not move an existing checkout"), r.err());
        assertTrue(r.err().contains("fix: keep it and pass --executorch-ref v1.2.0, or use a new --workspace"), r.err());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.contains("clone") || l.contains("checkout") || l.contains("venv")), fakes.lines().toString());
        assertFalse(Files.exists(ws.resolve(".venv")));
        assertEquals("v1.2.0\n", Files.readString(ws.resolve("executorch/.fakegit/ref")));
    }

    @Test
    void aDirtyCheckoutIsReportedNotOverwritten() {
        RecordingFakes.checkout(ws, "v1.3.1", " M CMakeLists.txt\n M backends/xnnpack/CMakeLists.txt\n");
        TestKit.Run r = setup();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("has local changes in 2 file(s): M CMakeLists.txt, M backends/xnnpack/CMakeLists.txt; SetupRepo does not overwrite them"), r.err());
        assertTrue(r.err().contains("fix: commit or stash them"), r.err());
        assertTrue(fakes.lines().stream().noneMatch(l -> l.startsWith("python ") || l.contains("venv") || l.contains("clone")), fakes.lines().toString());
    }

    @Test
    void anExplicitRefIsClonedAsGiven() {
        TestKit.Run r = setup("--executorch-ref", "v1.4.1");
        assertEquals(0, r.code(), r.toString());
        assertTrue(fakes.lines().contains("git clone --branch v1.4.1 --depth 1 -- " + URL + " executorch"), fakes.lines().toString());
        assertEquals("v1.4.1", Kit.readJson(ws.resolve("workspace.json")).at("/executorch/ref").asText());
    }

    @Test
    void theBuiltInPinsAgreeWithConfigsVersionsJson() {
        Kit.Versions file = Kit.Versions.from(TestKit.repo().resolve("configs/versions.json"));
        Kit.Versions embedded = Kit.Versions.DEFAULTS;
        assertEquals("v1.3.1", file.ref());
        assertEquals(RecordingFakes.ET_SHA, file.sha());
        assertEquals("2.12.0", file.torch());
        assertEquals(List.of(embedded.ref(), embedded.sha(), embedded.url(), embedded.torch(), embedded.pythonRange()),
                List.of(file.ref(), file.sha(), file.url(), file.torch(), file.pythonRange()));
        assertEquals(List.of(Kit.Versions.REF, Kit.Versions.URL, Kit.Versions.PYTHON_RANGE), List.of(file.ref(), file.url(), file.pythonRange()));
        JsonNode v = Kit.readJson(TestKit.repo().resolve("configs/versions.json"));
        assertEquals(">=" + Kit.Versions.minor(embedded.pythonMin()) + ",<3.14", v.at("/python/requires").asText());
    }

    @Test
    void dryRunPrintsTheCommandsAndChangesNothing() throws Exception {
        TestKit.Run r = setup("--dry-run");
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of(
                "(cd " + ws + ") python3 -m venv .venv",
                "(cd " + ws + ") git clone --branch v1.3.1 --depth 1 -- " + URL + " executorch",
                "(cd " + ws.resolve("executorch") + ") git submodule sync --recursive",
                "(cd " + ws.resolve("executorch") + ") git submodule update --init --recursive",
                "(cd " + ws.resolve("executorch") + ") " + ws.resolve(".venv/bin/python") + " install_executorch.py"), r.out().lines().toList());
        assertEquals(List.of("git --version", "python3 --version"), fakes.lines());
        assertFalse(Files.exists(ws));
    }

    @Test
    void anInstallerFailureNamesTheCommandTheLogAndTheLikelyFix() {
        fakes.fail("install");
        TestKit.Run r = setup();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: install failed (exit 1): ERROR: No matching distribution found for torch==2.12.0"), r.err());
        assertTrue(r.err().contains("  command: (cd " + ws.resolve("executorch") + ") " + ws.resolve(".venv/bin/python") + " install_executorch.py"), r.err());
        assertTrue(r.err().contains("  log: " + ws.resolve("logs/setup-install.log")), r.err());
        assertTrue(r.err().contains("fix: pip found no matching wheel (usually torch) for this Python or platform"), r.err());
        assertFalse(Files.exists(ws.resolve("workspace.json")));
    }

    @Test
    void aNetworkFailureWhileCloningSaysSo() {
        fakes.fail("clone");
        TestKit.Run r = setup();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: clone failed (exit 128): fatal: unable to access '" + URL + "/': Could not resolve host: github.com"), r.err());
        assertTrue(r.err().contains("  log: " + ws.resolve("logs/setup-clone.log")), r.err());
        assertTrue(r.err().contains("fix: a network problem: check the connection (or set HTTPS_PROXY), then run SetupRepo again"), r.err());
    }

    @Test
    void aSubmoduleFailureNamesTheCommandTheLogAndTheFixAndARerunResumesThere() throws Exception {
        fakes.fail("submodules");
        TestKit.Run r = setup();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: submodule-update failed (exit 1): fatal: unable to access 'https://github.com/google/XNNPACK.git/': Could not resolve host: github.com\n"
                + "  command: (cd " + ws.resolve("executorch") + ") git submodule update --init --recursive\n"
                + "  log: " + ws.resolve("logs/setup-submodule-update.log") + "\n"
                + "fix: a network problem: check the connection (or set HTTPS_PROXY), then run SetupRepo again; finished steps are skipped"), r.err());
        assertTrue(Files.readString(ws.resolve("logs/setup-submodule-update.log")).contains("Could not resolve host: github.com"));
        assertTrue(fakes.lines().stream().noneMatch(l -> l.contains("install_executorch.py")), fakes.lines().toString());
        assertFalse(Files.exists(ws.resolve("workspace.json")));

        Files.delete(fakes.dir.resolve("fail-submodules"));
        fakes.clear();
        TestKit.Run again = setup();
        assertEquals(0, again.code(), again.toString());
        assertEquals(List.of("venv:skipped", "clone:skipped", "submodules:done", "install:done"), steps(Kit.readJson(ws.resolve("workspace.json"))));
        assertTrue(fakes.lines().contains("git submodule update --init --recursive"), fakes.lines().toString());
    }

    @Test
    void aPythonOutsideTheRangeIsRefusedBeforeAnythingIsCreated() {
        fakes.python("python3", "3.9.18");
        TestKit.Run r = setup();
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("error: python3 is Python 3.9, but ExecuTorch v1.3.1 needs 3.10-3.13"), r.err());
        assertTrue(r.err().contains("fix: install Python 3.10-3.13 and pass it, e.g. --python python3.12"), r.err());
        assertFalse(Files.exists(ws.resolve(".venv")));
    }

    @Test
    void runsAsARealProcessThroughJbang() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", fakes.bin + ":" + fakes.sys + ":" + System.getenv("PATH"));
        TestKit.Run r = TestKit.jbang(TestKit.repo(), env, "scripts/SetupRepo.java", "--workspace", ws.toString(), "--dry-run", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode plan = Kit.JSON.readTree(r.out());
        assertEquals(List.of("python3 -m venv .venv", "git clone --branch v1.3.1 --depth 1 -- " + URL + " executorch",
                        "git submodule sync --recursive", "git submodule update --init --recursive", ws.resolve(".venv/bin/python") + " install_executorch.py"),
                java.util.stream.StreamSupport.stream(plan.get("commands").spliterator(), false)
                        .map(c -> String.join(" ", java.util.stream.StreamSupport.stream(c.spliterator(), false).map(JsonNode::asText).toList())).toList());
        assertFalse(Files.exists(ws));
    }

    private static List<String> steps(JsonNode w) {
        return java.util.stream.StreamSupport.stream(w.get("steps").spliterator(), false)
                .map(s -> s.get("name").asText() + ":" + s.get("status").asText()).toList();
    }
}
