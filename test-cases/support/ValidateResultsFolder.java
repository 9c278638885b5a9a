import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A known-good run folder for ValidateResults tests, written the way the pipelines write it (Kit.RunFolder) from the real
 * runner fixtures: experiment "mnv1" at 1 and 2 threads (runner-mnv1/mnv1-t1 and mnv1-t2: 20 executions each, one
 * warm-up in a separate process, written before metrics had warmup_in_process: those keys are left out), with latencies
 * read from the ETDumps by Kit.etdumpRuns. goodInProcess: the same experiment from runner-mnv1/mnv1-w5-t1 and -t2 (25
 * executions in the timed process: warmup_in_process 5 + 20 runs), as the pipelines write it now. Edit helpers then
 * break it one way at a time.
 */
public final class ValidateResultsFolder {
    public static final String SHA = "e2f18eb2a1b2c3d4e5f60718293a4b5c6d7e8f90";
    public final Path dir, config, model;

    private ValidateResultsFolder(Path dir, Path config, Path model) {
        this.dir = dir;
        this.config = config;
        this.model = model;
    }

    /** Writes the folder under tmp/runs/ (config and model under tmp/ too). */
    public static ValidateResultsFolder good(Path tmp) { return make(tmp, false); }

    /** The same with the warm-up inside the timed process (metrics warmup_in_process 5, latency_all_ms of 25). */
    public static ValidateResultsFolder goodInProcess(Path tmp) { return make(tmp, true); }

    private static ValidateResultsFolder make(Path tmp, boolean inProcess) {
        int warmup = inProcess ? 5 : 1;
        String fixture = inProcess ? "runner-mnv1/mnv1-w5-t" : "runner-mnv1/mnv1-t";
        try {
            Path model = tmp.resolve("models/mnv1_xnnpack_fp32.pte");
            Files.createDirectories(model.getParent());
            Files.copy(TestKit.shipped("pte/mobilenet-v1-like-xnnpack-fp32.pte"), model);
            Path config = tmp.resolve("configs/mnv1.json");
            Files.createDirectories(config.getParent());
            Files.writeString(config, "{\"model\": \"../models/mnv1_xnnpack_fp32.pte\", \"experiments\": [{\"name\": \"mnv1\", "
                    + "\"runner_path\": \"../executorch/cmake-out/host-sme2-on/executor_runner\", \"runs\": 20, \"warmup\": " + warmup + ", \"threads\": [1, 2]}]}\n");
            Kit.RunFolder rf = Kit.RunFolder.create(tmp.resolve("runs"), "mnv1_xnnpack_fp32", "MacPipeline");
            rf.manifest.put("config", config.toString());
            rf.manifest.put("model", model.toString());
            rf.manifest.put("executorch", new Kit.GitState(SHA, false).toMap());
            rf.manifest.put("host", Kit.ordered("os", "Linux", "arch", "amd64", "cores", 2, "sme2", false));
            for (int threads : List.of(1, 2)) {
                Path t = Files.createDirectories(rf.dir.resolve("mnv1/t" + threads));
                Path etdump = t.resolve("run.etdump"), log = t.resolve("runner.log");
                Files.copy(TestKit.shipped(fixture + threads + ".etdump"), etdump);
                Files.copy(TestKit.shipped(fixture + threads + ".log"), log);
                Files.writeString(t.resolve("command.txt"), String.join("\n", Files.readString(TestKit.shipped(fixture + threads + ".cmd")).trim().split("\\s+")) + "\n");
                if (!inProcess) Files.writeString(t.resolve("warmup.log"), "I 00:00:00.000 executor_runner.cpp] Model executed successfully 1 time(s) in 3.1 ms.\n");
                List<Double> latency = Kit.etdumpRuns(etdump).executeMs();
                var entry = rf.result("mnv1", threads, "timing");
                Map<String, Object> metrics = rf.metrics(20, inProcess ? warmup : 0, threads, latency, null, etdump, log, null);
                if (!inProcess) { metrics.remove("warmup_in_process"); metrics.remove("latency_all_ms"); metrics.put("warmup", warmup); }
                rf.record(entry, "ok", null, metrics);
            }
            rf.finish();
            Kit.writeJson(rf.dir.resolve("config.json"), Kit.readJson(config));
            return new ValidateResultsFolder(rf.dir, config, model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path path(String rel) { return dir.resolve(rel); }

    public ObjectNode read(String rel) { return (ObjectNode) Kit.readJson(dir.resolve(rel)); }

    public void write(String rel, JsonNode node) { Kit.writeJson(dir.resolve(rel), node); }

    /** Edits manifest.json only. */
    public ValidateResultsFolder manifest(Consumer<ObjectNode> edit) {
        ObjectNode m = read("manifest.json");
        edit.accept(m);
        write("manifest.json", m);
        return this;
    }

    /** Edits result entry i the same way in manifest.json and metrics.json (so the two stay equal). */
    public ValidateResultsFolder result(int i, Consumer<ObjectNode> edit) {
        for (String f : List.of("manifest.json", "metrics.json")) {
            ObjectNode doc = read(f);
            edit.accept((ObjectNode) doc.get("results").get(i));
            write(f, doc);
        }
        return this;
    }

    /** Sets latency_ms of entry i and the median, min and max that go with it (in both files). */
    public ValidateResultsFolder latencies(int i, List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        return result(i, r -> {
            ObjectNode m = (ObjectNode) r.get("metrics");
            ArrayNode a = m.putArray("latency_ms");
            values.forEach(a::add);
            m.put("median_ms", median).put("min_ms", s.get(0)).put("max_ms", s.get(n - 1));
        });
    }

    public List<Double> latencies(int i) {
        return Kit.JSON.convertValue(read("manifest.json").get("results").get(i).get("metrics").get("latency_ms"),
                Kit.JSON.getTypeFactory().constructCollectionType(List.class, Double.class));
    }

    public static Map<String, Object> summary(int experiments) {
        return Map.of("schema_version", 1, "experiments", java.util.Collections.nCopies(experiments, Map.of("label", "x")));
    }
}
