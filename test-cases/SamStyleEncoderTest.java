import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The onboarding worked example: configs/examples/sam_style_encoder.py compiles and has the two classes the page exports,
 * its config points at the export of SamStyleEncoderXnn, and the page shows the model file's class as it is. The real
 * exports run in RealEfficientSamTest (SME2_REAL_WORKSPACE).
 */
class SamStyleEncoderTest {
    @TempDir Path tmp;
    static final Path FILE = TestKit.repo().resolve("configs/examples/sam_style_encoder.py");

    @Test
    void theModelFileCompilesWithPython() throws Exception {
        Path python = Kit.which(System.getenv(), "python3");
        Assumptions.assumeTrue(python != null, "python3 is not installed, skipping");
        TestKit.Run r = TestKit.process(tmp, Map.of("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString()), List.of(), Duration.ofMinutes(1),
                python.toString(), "-m", "py_compile", FILE.toString());
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void theConfigProfilesTheDelegatedVariantAndThePageQuotesTheModelFile() throws Exception {
        String py = Files.readString(FILE);
        assertTrue(py.contains("class SamStyleEncoder:") && py.contains("class SamStyleEncoderXnn(SamStyleEncoder):"), "the two classes of the page");
        Kit.Config c = Kit.loadConfig(TestKit.repo().resolve("configs/examples/mac_sam_style_encoder_fp32.json"));
        assertEquals("sam_style_encoder_xnn_xnnpack_fp32.pte", c.model().getFileName().toString(), "ExportModel's name for SamStyleEncoderXnn, fp32");
        assertEquals("sam_style_encoder_xnn", ExportModel.snake("SamStyleEncoderXnn"));
        String page = Files.readString(TestKit.repo().resolve("content/09-onboard-your-model.md"));
        int a = page.indexOf("class SamStyleEncoder:"), b = page.indexOf("```", a);
        String shown = page.substring(a, b).strip();
        assertTrue(py.contains(shown), "the page shows the class as the model file has it:\n" + shown);
    }
}
