import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * --dry-run is a preview: on the shipped example configs (no model exported, no runners built, no adb) it exits 0 and
 * says at which step a real run would stop, each problem followed by its own fix; only a broken config exits 2.
 */
class DryRunPreviewTest {
    @TempDir Path tmp;

    static String example(String name) { return TestKit.repo().resolve("configs/examples").resolve(name).toString(); }

    /** The line after the first line containing text (the fix that belongs to it). */
    static String after(String err, String text) {
        List<String> lines = err.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) if (lines.get(i).contains(text)) return lines.get(i + 1).strip();
        throw new AssertionError("no line with " + text + " in:\n" + err);
    }

    @Test
    void macExampleConfigPreviewsEveryStepAndExits0() {
        TestKit.Run r = TestKit.inProcess((o, e) -> MacPipeline.run(o, e, example("mac_mobilenet_fp16.json"), "--dry-run", "--no-analysis"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("/host-sme2-on/executor_runner --model_path "), r.out());
        assertEquals("fix: export it: jbang scripts/ExportModel.java --model mv2 --dtype fp16 (or point \"model\" at an existing .pte)",
                after(r.err(), "[warn] would fail at step 1: "), r.err());
        assertTrue(r.err().contains("[warn] would fail at step 1 (mac_sme2_on t1): experiment mac_sme2_on: runner "), r.err());
        assertEquals("fix: build it: jbang scripts/BuildRunners.java --variants host-sme2-off", after(r.err(), "would fail at step 3 (mac_sme2_off t1)"), r.err());
        assertEquals("fix: build it: jbang scripts/BuildRunners.java --variants host-sme2-on-xnnlog", after(r.err(), "would fail at step 5 (mac_sme2_on_xnnlog t1)"), r.err());
    }

    @Test
    void androidExampleConfigWithoutAdbPreviewsAndSaysToInstallAdbNotToRestartIt() {
        Assumptions.assumeTrue(Kit.which(System.getenv(), "adb") == null, "adb is installed here");
        TestKit.Run r = TestKit.inProcess((o, e) -> AndroidPipeline.run(o, e, example("android_mobilenet_fp16.json"), "--dry-run", "--no-analysis"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(after(r.err(), "would fail at step 1: adb not found").startsWith("fix: install the Android platform-tools"), r.err());
        assertFalse(r.err().contains("kill-server"), r.err());
        assertFalse(r.err().contains("adb devices -l` failed"), r.err());
        assertEquals("fix: build it: jbang scripts/BuildRunners.java --variants android-arm64-sme2-off", after(r.err(), "(android_sme2_off t1): experiment android_sme2_off"), r.err());
        assertTrue(r.out().contains("adb -s SERIAL push "), r.out());
    }

    @Test
    void aBrokenConfigStillExits2UnderDryRun() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("broken.json"), "{\"model\": \"m.pte\", \"experiments\": [{\"name\": \"x\"}]}");
        TestKit.Run r = TestKit.inProcess((o, e) -> MacPipeline.run(o, e, cfg.toString(), "--dry-run"));
        assertEquals(2, r.code(), r.toString());
    }
}
