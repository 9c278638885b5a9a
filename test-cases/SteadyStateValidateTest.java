import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** ValidateResults on a run folder with the warm-up inside the timed process (warmup_in_process, latency_all_ms). */
class SteadyStateValidateTest {
    @TempDir Path tmp;

    static List<String> fails(Path dir) throws Exception {
        TestKit.Run r = TestKit.inProcess((out, err) -> ValidateResults.run(out, err, "--results", dir.toString(), "--json"));
        List<String> out = new ArrayList<>();
        Kit.JSON.readTree(r.out()).get("checks").forEach(c -> { if (c.get("status").asText().equals("fail")) out.add(c.get("message").asText()); });
        assertEquals(out.isEmpty() ? 0 : 1, r.code(), r.toString());
        return out;
    }

    @Test
    void anInProcessWarmupFolderPassesAndSaysSo() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.goodInProcess(tmp);
        JsonNode metrics = f.read("manifest.json").get("results").get(0).get("metrics");
        assertEquals(5, metrics.get("warmup_in_process").asInt());
        assertEquals(25, metrics.get("latency_all_ms").size());
        assertEquals(20, metrics.get("latency_ms").size());
        assertEquals(List.of(), fails(f.dir));
        TestKit.Run r = TestKit.inProcess((out, err) -> ValidateResults.run(out, err, "--results", f.dir.toString()));
        assertTrue(r.err().contains("mnv1/t1: 20 runs after 5 in-process warm-up, median "), r.err());
        assertFalse(r.err().contains("warmup.log is missing"), "no separate warm-up process is expected: " + r.err());
    }

    @Test
    void latencyMsMustBeLatencyAllMsAfterTheWarmup() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.goodInProcess(tmp);
        f.result(0, r -> ((ObjectNode) r.get("metrics")).put("warmup_in_process", 4));
        assertEquals(List.of("mnv1/t1: latency_ms is not latency_all_ms without its first 4 (warmup_in_process) value(s)",
                "mnv1/t1: mnv1/t1/run.etdump has 25 Execute blocks but 24 execution(s) ran (runs + warmup_in_process)"), fails(f.dir));
    }

    @Test
    void latencyAllMsMustMatchTheEtdump() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.goodInProcess(tmp);
        f.result(1, r -> ((ArrayNode) r.get("metrics").get("latency_all_ms")).set(0, 99.0));
        List<String> got = fails(f.dir);
        assertEquals(1, got.size(), got.toString());
        assertTrue(got.get(0).startsWith("mnv1/t2: latency_all_ms[0] is 99.0 but mnv1/t2/run.etdump says "), got.toString());
    }

    @Test
    void aBadWarmupInProcessIsNamed() throws Exception {
        ValidateResultsFolder f = ValidateResultsFolder.goodInProcess(tmp);
        f.result(0, r -> ((ObjectNode) r.get("metrics")).put("warmup_in_process", -1));
        assertTrue(fails(f.dir).stream().anyMatch(m -> m.endsWith("$.results[0].metrics.warmup_in_process: expected a whole number of at least 0, got -1")));
    }
}
