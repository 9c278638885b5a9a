import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ValidateSetup's build stage knows ExecuTorch's real prerequisites as BuildRunners does (the submodules the runner reads,
 * the pinned torch in the workspace Python), and its run stage says what the SME2 evidence means on a stripped binary and on x86-64.
 */
class ValidateSetupBuildPrereqsTest {
    @TempDir Path tmp;

    ValidateSetupEnv env() { return new ValidateSetupEnv(tmp).healthy().checkout(); }

    static JsonNode run(ValidateSetupEnv e, String... more) throws Exception {
        TestKit.Run r = TestKit.inProcess((out, err) -> ValidateSetup.run(out, err, e.args(more)));
        JsonNode doc = Kit.JSON.readTree(r.out());
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc).put("_exit", r.code());
        return doc;
    }

    static JsonNode check(JsonNode doc, String id) { return ValidateSetupTest.check(doc, id); }

    @Test
    void emptySubmodulesFailTheBuildStageWithTheExactCommand() throws Exception {
        ValidateSetupEnv e = env();
        Path et = e.ws.resolve("executorch");
        Kit.deleteTree(et.resolve("kernels/optimized/third-party/eigen"));
        Kit.deleteTree(et.resolve("third-party/json"));
        JsonNode doc = run(e, "--stage", "build", "--json");
        JsonNode c = check(doc, "executorch-submodules");
        assertEquals("fail", c.get("status").asText());
        assertEquals("ExecuTorch submodules third-party/json, kernels/optimized/third-party/eigen are empty: BuildRunners' configure or build would fail",
                c.get("message").asText());
        assertEquals("git -C " + et + " submodule update --init --recursive -- third-party/json kernels/optimized/third-party/eigen", c.get("fix").asText());
        assertEquals(1, doc.get("_exit").asInt());
        assertEquals("warn", check(run(e, "--stage", "setup", "--json"), "executorch-submodules").get("status").asText(), "before the build stage it only warns");
    }

    @Test
    void theWorkspaceTorchMustBeThePinnedOne() throws Exception {
        ValidateSetupEnv e = env();
        assertEquals("ok", check(run(e, "--stage", "build", "--json"), "torch").get("status").asText());
        JsonNode old = check(run(e.torch("2.11.0"), "--stage", "build", "--json"), "torch");
        assertEquals("fail", old.get("status").asText());
        assertEquals("torch 2.11.0 at " + e.ws.resolve(".venv/lib/python3.12/site-packages/torch") + " is not the pinned 2.12.0: the optimized kernels compile against its headers",
                old.get("message").asText());
        assertTrue(old.get("fix").asText().startsWith("install the pinned torch into the workspace Python: " + e.ws.resolve(".venv/bin/python") + " -m pip install torch==2.12.0"),
                old.toString());
        assertEquals("fail", check(run(e.torch("none"), "--stage", "build", "--json"), "torch").get("status").asText());
        Files.delete(e.ws.resolve(".venv/bin/python"));
        assertTrue(check(run(e, "--stage", "build", "--json"), "torch").get("message").asText().startsWith("no workspace Python at "));
    }

    @Test
    void anX86HostSaysNoArmKernelExistsThere() throws Exception {
        ValidateSetupEnv e = env().prints("uname", "x86_64");
        e.runner("host-sme2-on", "{\"sme2_symbol_count\": 0, \"sme2_expected\": \"0\", \"sme2_evidence\": \"not applicable: an x86-64 build has no Arm kernels, SME2 or NEON\"}");
        e.runner("host-sme2-off", null);
        ValidateSetupEnv.write(e.home.resolve("cpuinfo"), "processor\t: 0\nflags\t\t: fpu avx2 avx512f\n");
        JsonNode doc = run(e, "--stage", "run", "--json");
        JsonNode host = check(doc, "host-sme2");
        assertEquals("this host is x86-64 (x86_64): no Arm kernel exists here, SME2 or NEON; XNNPACK runs x86 kernels (AVX-512, AVX2…), "
                + "so the SME2-on and SME2-off runners run the same code", host.get("message").asText());
        assertFalse(host.get("message").asText().contains("NEON kernels"), "no NEON fallback on x86");
        assertTrue(check(doc, "runner:host-sme2-on").get("message").asText().endsWith("x86-64 build: no Arm kernels, SME2 or NEON)"),
                check(doc, "runner:host-sme2-on").toString());
    }

    @Test
    void aStrippedSme2OnRunnerIsUnknownNotZero() throws Exception {
        ValidateSetupEnv e = env();
        e.runner("host-sme2-on", "{\"sme2_symbol_count\": null, \"sme2_expected\": \"more than 0\", \"sme2_evidence\": \"unknown: binary stripped\"}");
        e.runner("host-sme2-off", null);
        JsonNode c = check(run(e, "--stage", "run", "--json"), "runner:host-sme2-on");
        assertEquals("warn", c.get("status").asText());
        assertTrue(c.get("message").asText().endsWith("(SME2 symbols unknown: binary stripped): the binary is stripped, so its SME2 kernels cannot be counted (not 0: unknown)"),
                c.toString());
        assertFalse(c.get("message").asText().contains("contains no SME2 kernels"));
    }
}
