import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The analysis outputs stay byte for byte what they were before the speed work of issue 15 (BASE efc1fde): every
 * output file except the charts (latency.svg, ...) and report.html, on the shipped demo run and on a generated ETDump of
 * 2,000 runs (above Report.DOT_LIMIT, so its latency chart is a histogram). The digests in
 * test-cases/fixtures/analysis-golden.sha256 were made by the BASE version of AnalyzeResults with this class's
 * digests(); the timestamp (generated_at) and the folders of the test are replaced by placeholders first. report.md is
 * compared without the latency figure's caption line, the one line that says what the chart draws.
 */
class AnalyzeGoldenTest {
    @TempDir Path tmp;

    static final Path GOLDEN = Path.of("test-cases/fixtures/analysis-golden.sha256");
    static final List<String> COMPARED = List.of("analysis_summary.json", "inspector.csv", "operators.csv", "categories.csv",
            "kernels.csv", "comparison.csv", "cold_start.csv", "trace.json", "operator_kernels.csv", "report.md");
    static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    @Test
    void theDemoRunGivesTheSameOutputs() throws Exception {
        Path out = tmp.resolve("demo");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--run-dir", TestKit.shipped("demo-run").toString(), "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        assertSameAsGolden("demo", digests(out, tmp));
    }

    @Test
    void twoThousandRunsGiveTheSameOutputsAndALightReport() throws Exception {
        Path dump = manyRuns(tmp, 2000), out = tmp.resolve("many");
        TestKit.Run r = TestKit.inProcess((o, e) -> AnalyzeResults.run(o, e, "--etdump", dump.toString(), "--out", out.toString()));
        assertEquals(0, r.code(), r.toString());
        assertSameAsGolden("runs2000", digests(out, tmp));
        String svg = Files.readString(out.resolve("latency.svg"));
        assertFalse(svg.contains("<circle"), "2,000 runs are drawn as a histogram, not as 2,000 dots");
        assertTrue(svg.contains("2000 runs in "), "the histogram says how many runs it holds");
        assertTrue(svg.contains("median 2.12 ms") && svg.contains("n = 2000 "), "the statistics printed beside it are those of every run: " + svg);
        assertTrue(Files.size(out.resolve("latency.svg")) < 12_000, "latency.svg is " + Files.size(out.resolve("latency.svg")) + " bytes");
        assertTrue(Files.size(out.resolve("report.html")) < 60_000, "report.html is " + Files.size(out.resolve("report.html")) + " bytes");
    }

    /** The benchmark's ETDump (AnalyzeBenchmark) with n runs. */
    static Path manyRuns(Path dir, int n) throws Exception {
        double[] scales = new double[n];
        for (int i = 0; i < n; i++) scales[i] = 1.0 + ((i * 7919L) % 97) / 400.0;
        Path dump = dir.resolve("many.etdp");
        Files.write(dump, EtdumpWriter.delegatedModel(EtdumpWriter.mobilenetLikeOps(), n, scales).finish());
        return dump;
    }

    /** SHA-256 of each compared output, after replacing timestamps, the scratch folder and the repository by placeholders. */
    static Map<String, String> digests(Path out, Path scratch) throws Exception {
        Map<String, String> r = new TreeMap<>();
        for (String f : COMPARED) {
            String text = Files.readString(out.resolve(f));
            text = TIMESTAMP.matcher(text).replaceAll("<time>").replace(scratch.toString(), "<tmp>").replace(TestKit.repo().toString(), "<repo>");
            if (f.equals("report.md")) text = String.join("\n", text.lines().filter(l -> !l.startsWith("![End-to-end latency")).toList());
            r.put(f, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))));
        }
        return r;
    }

    static void assertSameAsGolden(String set, Map<String, String> got) throws Exception {
        Map<String, String> want = new TreeMap<>();
        for (String l : Files.readAllLines(TestKit.repo().resolve(GOLDEN))) {
            String[] f = l.trim().split("\\s+");
            if (f.length == 3 && !l.startsWith("#") && f[0].equals(set)) want.put(f[1], f[2]);
        }
        assertEquals(COMPARED.size(), want.size(), GOLDEN + " lists every compared output of " + set);
        List<String> differ = new ArrayList<>();
        got.forEach((f, d) -> { if (!d.equals(want.get(f))) differ.add(f); });
        StringBuilder lines = new StringBuilder();
        got.forEach((f, d) -> lines.append(set).append(' ').append(f).append(' ').append(d).append('\n'));
        assertTrue(differ.isEmpty(), "outputs changed: " + differ + ". Outputs must stay byte-identical; only if a change is"
                + " meant (and reviewed), put these lines in " + GOLDEN + ":\n" + lines);
    }

    /** Prints the digest lines (for making the golden file with another version of AnalyzeResults). */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("golden");
        Path demo = dir.resolve("demo");
        if (AnalyzeResults.run(System.err, System.err, "--run-dir", TestKit.shipped("demo-run").toString(), "--out", demo.toString()) != 0) throw new IllegalStateException("demo");
        digests(demo, dir).forEach((f, d) -> System.out.println("demo " + f + " " + d));
        Path dump = manyRuns(dir, 2000), many = dir.resolve("many");
        if (AnalyzeResults.run(System.err, System.err, "--etdump", dump.toString(), "--out", many.toString()) != 0) throw new IllegalStateException("many");
        digests(many, dir).forEach((f, d) -> System.out.println("runs2000 " + f + " " + d));
    }
}
