import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** SetupRepo checks that each submodule the runners need holds its files (ExecuTorch's installer does not check eigen, pocketfft or json). */
class SetupRepoSubmodulesTest {
    @TempDir Path tmp;
    SetupRepoTest t = new SetupRepoTest();

    @BeforeEach
    void setUp() {
        t.tmp = tmp;
        t.setUp();
    }

    TestKit.Run setup() { return t.setup(); }

    @Test
    void submodulesStillEmptyAfterTheUpdateStopWithTheExactCommand() {
        t.fakes.fail("submodule-content");
        TestKit.Run r = setup();
        assertEquals(1, r.code(), r.toString());
        Path et = t.ws.resolve("executorch");
        assertTrue(r.err().contains("error: after git submodule update, " + String.join(", ", Kit.Prereqs.SUBMODULES.keySet()) + " are still empty"), r.err());
        assertTrue(r.err().contains("then: git -C " + et + " submodule update --init --recursive -- backends/xnnpack/third-party/XNNPACK"), r.err());
        assertTrue(t.fakes.lines().stream().noneMatch(l -> l.contains("install_executorch.py")), "the installer does not run on a broken checkout");
    }

    @Test
    void anExistingCheckoutWithAnEmptyEigenIsUpdatedNotSkipped() throws Exception {
        Path et = RecordingFakes.checkout(t.ws, "v1.3.1", null);
        Kit.deleteTree(et.resolve("kernels/optimized/third-party/eigen"));
        TestKit.Run r = setup();
        List<String> calls = t.fakes.lines(t.ws);
        assertTrue(calls.contains("[executorch] git submodule update --init --recursive"), calls.toString());
        assertTrue(Kit.Prereqs.emptySubmodules(et).isEmpty());
        assertTrue(r.err().contains("[submodules] ExecuTorch's third-party code (XNNPACK, cpuinfo, eigen, flatbuffers…; KleidiAI is downloaded later,"), r.err());
    }
}
